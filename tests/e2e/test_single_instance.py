"""One window per database: a second start on the same database hands over to the first and
exits; another database opens its own window. The command line and the app work on one
database at once (WAL and a busy timeout)."""

import subprocess
import time

from conftest import app_binary, cli_binary


def test_a_second_start_on_the_same_database_hands_over_and_exits(app):
    second = subprocess.run([str(app_binary())], env=app.env, capture_output=True, timeout=60)
    assert second.returncode == 0, second.stderr.decode(errors="replace")[-2000:]
    # The first is untouched and still answers.
    assert app.invoke("app_info")["db_path"].endswith("shopdesk.sqlite3")
    app.wait_for("nav-queue")


def test_another_database_opens_its_own_window(app, tmp_path):
    other = subprocess.Popen([str(app_binary()), "--db", str(tmp_path / "other.sqlite3")], env=app.env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(4)
        assert other.poll() is None, "a start on another database must not hand over"
        assert (tmp_path / "other.sqlite3").exists()
    finally:
        other.kill()
        other.wait(timeout=20)


def test_the_command_line_and_the_app_work_on_one_database_at_once(app):
    db = app.invoke("app_info")["db_path"]
    for i in range(5):
        subprocess.run([str(cli_binary()), "--db", db, "case", "open", "--new-name", f"Caller {i}", "--subject", f"Call {i}",
                        "--channel", "phone", "--text", "Please call back"], check=True, capture_output=True, timeout=60)
        app.invoke("open_case", {"input": {
            "contact": {"new": {"name": f"Writer {i}", "emails": [], "phones": [], "address": "", "notes": "", "tags": []}},
            "subject": f"Note {i}", "priority": "normal", "category": "other",
            "first_message": {"direction": "from_customer", "channel": "chat", "author": "", "body": "Hi", "happened_at": None},
        }})
    subjects = {c["subject"] for c in app.queue_data()["items"]}
    assert subjects == {f"Call {i}" for i in range(5)} | {f"Note {i}" for i in range(5)}
    listed = subprocess.run([str(cli_binary()), "--db", db, "--json", "queue"], check=True, capture_output=True, timeout=60)
    assert '"Note 4"' in listed.stdout.decode()
