"""A damaged database on start, through the real window: a clear message, the file left as it
was, and the newest sound backup offered and put back (the damaged file kept aside)."""

import subprocess

from conftest import cli_binary


def shopdesk(db, *args: str) -> str:
    return subprocess.run([str(cli_binary()), "--db", str(db), *args], check=True, capture_output=True, text=True).stdout


def test_a_damaged_database_is_explained_and_its_latest_backup_put_back(launch, tmp_path):
    db = tmp_path / "shop" / "shopdesk.sqlite3"
    shopdesk(db, "case", "open", "--new-name", "Ana Costa", "--new-email", "ana@example.org", "--subject", "Kept by the backup",
             "--channel", "email", "--text", "Where is my teapot?")
    shopdesk(db, "backup")
    damaged = b"SQLite format 3\x00" + b"\xff" * 4096  # a header, then garbage: what a bad disk leaves
    for side in ("-wal", "-shm"):
        (db.parent / (db.name + side)).unlink(missing_ok=True)
    db.write_bytes(damaged)

    app = launch(["--db", str(db)])
    problem = app.wait_for("startup-problem")
    assert "shopdesk.sqlite3" in app.wait_for("startup-problem-message").text
    assert db.read_bytes() == damaged, "opening did not touch the damaged file"
    app.wait_for("startup-backup-time")
    app.click("startup-restore")
    app.click("startup-restore-confirm")
    # The window reloads on the restored database.
    def restored(_) -> bool:
        try:
            return any(c["subject"] == "Kept by the backup" for c in app.queue_data()["items"])
        except Exception:  # the database is being put back; the command says so until then
            return False

    app.wait_until(restored, "the backup's case is not back in the queue")
    app.wait_until(lambda _: not app.all("startup-problem"), "the problem is still shown after the restore")
    kept = [p for p in db.parent.iterdir() if ".before-restore-" in p.name and not p.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1 and kept[0].read_bytes() == damaged, "the damaged file was kept aside as it was"
    assert problem is not None
