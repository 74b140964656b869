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


def test_the_window_is_shown_once_its_page_has_loaded(launch):
    """As users get it: created hidden, shown when its page has loaded (src-tauri/src/first_show.rs).
    The other tests have the window shown at once (conftest.py says why)."""
    app = launch(env={"SHOPDESK_WINDOW_AT_ONCE": ""})
    app.wait_until(
        lambda d: d.execute_script("return document.visibilityState") == "visible",
        "the window was not shown after its page loaded",
    )
    app.wait_for("queue-empty")
    assert app.driver.execute_script("return document.body.dataset.ready") == "1"
    assert app.driver.execute_script("return document.hasFocus()"), "the window shown does not have the focus"


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


def a_shop_with_open_cases(db, n: int) -> int:
    """A database with `n` open cases, each customer waiting: the CLI creates the file and the first
    case, the rest are one bulk insert (the case-count triggers keep the counts). Returns the number
    of the case at the end of the queue (the one waiting least)."""
    import sqlite3
    import subprocess
    import uuid

    from conftest import cli_binary

    subprocess.run(
        [str(cli_binary()), "--db", str(db), "case", "open", "--new-name", "Ana Costa", "--new-email", "ana@example.com",
         "--subject", "Case 0", "--channel", "email", "--text", "Hello", "--at", "2026-01-01T00:00:00Z"],
        check=True, capture_output=True,
    )
    conn = sqlite3.connect(db)
    # The search triggers use concat_ws, newer than the Python's SQLite.
    conn.create_function("concat_ws", -1, lambda sep, *parts: sep.join(str(p) for p in parts if p is not None))
    contact = conn.execute("SELECT id FROM contacts").fetchone()[0]
    start = 1_767_225_600_000  # 2026-01-01T00:00:00Z
    with conn:
        conn.executemany(
            "INSERT INTO cases (id, number, subject, contact_id, status, priority, category, fault, channel, created_at,"
            " updated_at, last_activity_at, waiting_since, waiting_channel)"
            " VALUES (?, ?, ?, ?, 'new', 'normal', 'delivery', 'unknown', 'email', ?, ?, ?, ?, 'email')",
            ((str(uuid.uuid4()), 1001 + i, f"Case {i}", contact, *[start + i * 60_000] * 4) for i in range(1, n)),
        )
        conn.execute("UPDATE counters SET value = ? WHERE name = 'case_number'", (1000 + n,))
    conn.close()
    return 1000 + n


def test_ten_thousand_open_cases_render_a_window_and_scroll_to_the_last(launch, tmp_path):
    db = tmp_path / "busy.sqlite3"
    last = a_shop_with_open_cases(db, 10_000)
    app = launch(["--db", str(db)])
    app.wait_for("queue-row")
    counts = text_of(app.wait_for("queue-counts"))
    assert 10_000 in numbers_in(counts.replace(",", "")), counts
    rows = app.all("queue-row")
    assert row_number(rows[0]) == 1001, "the longest waiting customer is on top"
    assert len(rows) < 100, f"{len(rows)} rows in the page: the list should render only a window"

    # Drag to the end: the pages there are fetched and the last case is shown.
    app.driver.execute_script(
        "const l = document.querySelector('[data-testid=\"queue-list\"]'); l.scrollTop = l.scrollHeight;"
    )
    app.wait_until(lambda _: any(row_number(r) == last for r in app.all("queue-row")), f"case #{last} never showed")
    rows = app.all("queue-row")
    assert len(rows) < 100, f"{len(rows)} rows after scrolling"
    assert row_number(rows[-1]) == last


def test_a_filter_says_how_many_of_the_open_cases_it_shows_and_clears(app):
    app.wait_for("queue-empty")
    app.click("load-demo")
    app.wait_until(lambda _: len(app.all("queue-row")) >= 5, "fewer than 5 queue-rows after load-demo")
    everything = app.queue_data()
    # A channel some of the demo's open cases came by, and not all of them.
    by_channel = {
        ch: app.invoke("queue", {"filter": {"status": None, "channel": ch, "category": None}})
        for ch in ("email", "phone", "voicemail", "chat", "social")
    }
    channel, phone = next((ch, q) for ch, q in by_channel.items() if 0 < q["matching"] < everything["total_open"])

    app.select("queue-filter-channel", channel)
    expected = f"Showing {phone['matching']} of {everything['total_open']} open cases"
    app.wait_until(lambda _: expected in text_of(app.wait_for("queue-counts")), f"counts never said {expected!r}")
    app.wait_until(
        lambda _: sorted(row_number(r) for r in app.all("queue-row")) == sorted(c["number"] for c in phone["items"]),
        f"the list should hold exactly the {channel} cases",
    )

    app.click("queue-clear-filters")
    app.wait_until(lambda _: " of " not in text_of(app.wait_for("queue-counts")), "the counts still speak of a filter")
    assert everything["total_open"] in numbers_in(text_of(app.wait_for("queue-counts")))
    app.wait_until(lambda _: len(app.all("queue-row")) > phone["matching"], "clearing the filter should bring every case back")
    assert app.wait_for("queue-filter-channel").get_property("value") == ""


def test_solved_cases_are_found_again_from_the_queue_most_recent_first(app):
    app.wait_for("queue-empty")
    app.click("load-demo")
    app.wait_until(lambda _: len(app.all("queue-row")) >= 5, "fewer than 5 queue-rows after load-demo")
    solved = app.invoke("queue", {"filter": {"status": "solved", "channel": None, "category": None}})
    assert solved["matching"] > 0, "the demo should have solved cases"
    expected = [c["number"] for c in solved["items"]]
    actives = [c["last_activity_at"] for c in solved["items"]]
    assert actives == sorted(actives, reverse=True), "most recently active first"

    app.select("queue-filter-status", "solved")

    def shown_in_order(_):
        shown = [row_number(r) for r in app.all("queue-row")]
        return shown and shown == expected[: len(shown)]

    app.wait_until(shown_in_order, "the list should show the solved cases, in the core's order")
    assert f"{solved['matching']} solved" in text_of(app.wait_for("queue-counts"))

    # Open one: it is the solved case.
    app.click(app.all("queue-row")[0])
    app.wait_until(lambda _: app.driver.execute_script("return location.hash") == f"#/case/{expected[0]}", "the case never opened")
    assert app.value("case-status") == "solved"


def test_the_welcome_leads_to_connecting_the_mailbox_and_bringing_in_past_mail(app):
    app.wait_for("queue-empty")

    def in_view(element_id: str) -> bool:
        return app.driver.execute_script(
            "const r = document.getElementById(arguments[0])?.getBoundingClientRect();"
            "return !!r && r.top >= 0 && r.top < window.innerHeight / 2;",
            element_id,
        )

    app.click("welcome-connect-mail")
    app.wait_for("mail-from-address")
    app.wait_until(lambda _: in_view("settings-mail"), "the mail account's section was not scrolled into view")
    assert app.driver.execute_script("return document.querySelector('.settings').scrollTop") > 0

    app.click("nav-queue")
    app.click("welcome-import-mail")
    app.wait_for("import-mail")
    app.wait_until(lambda _: in_view("settings-import"), "the past mail section was not scrolled into view")
