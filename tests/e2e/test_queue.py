"""The queue on a first run: empty state, then demo data ordered longest-waiting first."""

import re

from helpers import numbers_in, row_number, text_of


def test_first_run_shows_empty_queue_then_demo(app):
    app.wait_for("queue-empty")
    assert app.all("queue-row") == [], "an empty database must show no queue rows"

    app.click("load-demo")
    app.wait_until(lambda _: len(app.all("queue-row")) >= 5, "fewer than 5 queue-rows after load-demo")

    # The order the UI shows is the core's order, and that order puts the longest wait first.
    queue = app.queue_data()
    expected = [c["number"] for c in queue["items"]]
    rows = app.all("queue-row")
    shown = [row_number(r) for r in rows]
    assert shown == expected[: len(shown)], f"queue rows {shown} are not in the core's order {expected}"
    waiting = [c["waiting_secs"] for c in queue["items"] if c["waiting_secs"] is not None]
    assert waiting, "the demo data should have customers waiting for an answer"
    assert [c["waiting_secs"] for c in queue["items"][: len(waiting)]] == sorted(waiting, reverse=True), (
        "waiting cases must come first, longest wait first"
    )
    assert queue["items"][0]["waiting_secs"] == max(waiting)

    first_waiting = text_of(app.one("queue-row-waiting", rows[0]))
    assert re.search(r"\d", first_waiting), f"the top row should show how long it waits, got {first_waiting!r}"

    nav = text_of(app.wait_for("nav-queue"))
    assert queue["waiting"] in numbers_in(nav), f"nav-queue {nav!r} should show the waiting count {queue['waiting']}"
    assert not any(el.is_displayed() for el in app.all("queue-empty"))


def test_a_database_from_a_newer_shopdesk_opens_the_window_with_a_clear_message(launch, tmp_path):
    import sqlite3

    db = tmp_path / "newer.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.executescript("CREATE TABLE future (x); PRAGMA user_version = 99;")
    before = db.read_bytes()
    app = launch(["--db", str(db)])
    error = app.wait_for("form-error")
    assert "newer version of Shopdesk" in error.text and "the file was not changed" in error.text, error.text
    assert db.read_bytes() == before, "the newer file was touched"
