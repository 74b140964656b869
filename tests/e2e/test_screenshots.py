"""Screenshots of the main screens on demo data, for the README and for reviewing a change by eye.

Saved to artifacts/; with UPDATE_SCREENSHOTS=1 the queue one also replaces docs/screenshot-queue.png.
"""

import os
import shutil
from pathlib import Path

from helpers import timeline

ROOT = Path(__file__).resolve().parents[2]


def assert_png(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert len(data) > 10_000, f"{path} is suspiciously small ({len(data)} bytes): a blank window?"


def test_screenshots_of_queue_and_case(launch, recorder):
    # With a notification service on the bus, as on a desktop: the banner shows no complaint.
    app = launch(["--demo"])
    rows = app.wait_until(lambda _: len(r := app.all("queue-row")) >= 5 and r, "the --demo queue has < 5 rows")
    queue_png = app.screenshot("queue")

    app.click(rows[0])
    app.wait_for("case-number")
    app.wait_until(lambda _: timeline(app), "the case timeline is empty")
    case_png = app.screenshot("case")

    app.click("nav-contacts")
    app.wait_for("contact-row")
    contacts_png = app.screenshot("contacts")

    for png in (queue_png, case_png, contacts_png):
        assert_png(png)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copy(queue_png, ROOT / "docs" / "screenshot-queue.png")
