"""A stand-in desktop notification server for the tests: owns org.freedesktop.Notifications on the
session bus and writes one JSON line per Notify call. usage: notify_recorder.py OUT.jsonl

Real D-Bus, real notify-rust client in the app; only the server that would draw the bubble is ours
(dunst needs a display, stacks duplicates and hides actions, so it can't be asserted on exactly).
"""

import asyncio
import json
import sys

from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, method


class Notifications(ServiceInterface):
    def __init__(self, out: str):
        super().__init__("org.freedesktop.Notifications")
        self.out = out
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
        return self.last_id

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
    bus.export("/org/freedesktop/Notifications", Notifications(sys.argv[1]))
    await bus.request_name("org.freedesktop.Notifications")
    print("ready", flush=True)
    await bus.wait_for_disconnect()


asyncio.run(main())
