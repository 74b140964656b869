"""Backups through the real window: the day's backup at start, "Back up now", and a restore that refuses junk."""

import time


def test_a_backup_is_made_daily_and_one_can_be_restored(app, tmp_path):
    """The daily backup runs when the app starts; "Back up now" and "Restore" are commands behind Settings."""
    first = app.invoke("backups")
    assert len(first["files"]) == 1, "the first start made the day's backup"
    app.invoke("open_case", {"input": {
        "contact": {"new": {"name": "Ana Costa", "emails": ["ana@example.org"], "phones": [], "address": "", "notes": "", "tags": []}},
        "subject": "Before the backup", "priority": "normal", "category": "delivery",
        "first_message": {"direction": "from_customer", "channel": "phone", "author": "", "body": "Hi", "happened_at": None},
    }})
    time.sleep(1.1)  # backups are named by the second
    app.click("nav-settings")
    app.wait_until(lambda _: len(app.all("backup-row")) == 1, "Settings does not list the day's backup")
    app.click("backup-now")
    app.wait_until(lambda _: len(app.all("backup-row")) == 2, "Back up now made no new backup")
    backup = app.all("backup-row")[0].get_attribute("data-path")
    assert backup == app.invoke("backups")["files"][0]["path"], "newest first"
    app.invoke("open_case", {"input": {
        "contact": {"new": {"name": "Bo Berg", "emails": [], "phones": [], "address": "", "notes": "", "tags": []}},
        "subject": "After the backup", "priority": "normal", "category": "delivery",
        "first_message": {"direction": "from_customer", "channel": "phone", "author": "", "body": "Hi", "happened_at": None},
    }})
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is no database")
    try:
        app.invoke("restore_backup", {"path": str(junk)})
        raise AssertionError("a junk file was restored")
    except Exception as e:  # the command's refusal reaches the window as an error
        assert "junk.sqlite3" in str(e) or "not" in str(e), e
    assert app.invoke("get_case", {"number": 1002})["case"]["subject"] == "After the backup", "a refused restore changes nothing"
    app.click(app.all("backup-restore")[0])
    app.click("backup-restore-yes")
    app.wait_for_text("backup-result", r"before-restore-")
    app.wait_until(lambda _: app.invoke("get_case", {"number": 1001})["case"]["subject"] == "Before the backup",
                   "the backup was not restored")
    assert [c["number"] for c in app.invoke("queue", {"filter": {}})["items"]] == [1001]
