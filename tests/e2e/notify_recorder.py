"""A stand-in desktop notification server for the tests: owns org.freedesktop.Notifications on the
session bus and writes one JSON line per Notify call. usage: notify_recorder.py OUT.jsonl [--click]

With --click it also plays the user: after a notification that offers actions it sends the
ActionInvoked signal for the "default" action, as a desktop does when the bubble is clicked.

Real D-Bus, real notify-rust client in the app; only the server that would draw the bubble is ours
(dunst needs a display, stacks duplicates and hides actions, so it can't be asserted on exactly).
"""

import asyncio
import json
import sys

from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, method, signal


class Notifications(ServiceInterface):
    def __init__(self, out: str, click: bool):
        super().__init__("org.freedesktop.Notifications")
        self.out = out
        self.click = click
        self.last_id = 0

    @method()
    def Notify(self, app_name: "s", replaces_id: "u", app_icon: "s", summary: "s", body: "s",  # noqa: F821
               actions: "as", hints: "a{sv}", expire_timeout: "i") -> "u":  # noqa: F821
        self.last_id += 1
        record = {
            "id": self.last_id,
            "app_name": app_name,
            "summary": summary,
            "body": body,
            "actions": dict(zip(actions[::2], actions[1::2])),
        }
        with open(self.out, "a") as f:
            f.write(json.dumps(record) + "\n")
        if self.click and "default" in record["actions"]:
            # After the reply, as a person clicks after seeing the bubble.
            asyncio.get_running_loop().call_later(0.5, self.ActionInvoked, self.last_id, "default")
        return self.last_id

    @signal()
    def ActionInvoked(self, id: "u", action_key: "s") -> "us":  # noqa: F821
        return [id, action_key]

    @method()
    def CloseNotification(self, id: "u"):  # noqa: F821
        pass

    @method()
    def GetCapabilities(self) -> "as":  # noqa: F821
        return ["body", "actions"]

    @method()
    def GetServerInformation(self) -> "ssss":  # noqa: F821
        return ["shopdesk-test", "shopdesk", "1", "1.2"]


async def main():
    bus = await MessageBus().connect()
    bus.export("/org/freedesktop/Notifications", Notifications(sys.argv[1], "--click" in sys.argv[2:]))
    await bus.request_name("org.freedesktop.Notifications")
    print("ready", flush=True)
    await bus.wait_for_disconnect()


asyncio.run(main())
