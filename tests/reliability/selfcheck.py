"""The audit must bite: damage a healthy database in each way the audit claims to notice, and check that
it does. A check that can't fail would make every "0 lost" in the table meaningless."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Callable

from mailgen import generate, write_mbox
from shop import Audit, Shop, audit


def _sql(*statements: str) -> Callable[[Path], None]:
    def damage(db: Path) -> None:
        conn = sqlite3.connect(db)
        try:
            for s in statements:
                conn.execute(s)
            conn.commit()
        finally:
            conn.close()
    return damage


def _attachment(action: str) -> Callable[[Path], None]:
    def damage(db: Path) -> None:
        f = next(p for p in sorted(db.with_name("attachments").iterdir()) if len(p.name) == 64)
        if action == "delete":
            f.unlink()
        else:
            data = bytearray(f.read_bytes())
            data[len(data) // 2] ^= 0xFF
            f.write_bytes(bytes(data))
    return damage


def _scribble(db: Path) -> None:
    """Overwrites the start of a few pages (their b-tree headers), as torn writes would."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the WAL would otherwise hide the damage
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    pages = db.stat().st_size // page
    with open(db, "r+b") as f:
        for n in (2, pages // 3, pages // 2, pages - 2):
            f.seek(n * page)
            f.write(b"\xa5" * 64)


DUP = ("INSERT INTO messages (id, case_id, direction, channel, author, body, happened_at, recorded_at, automatic, "
       "message_id) SELECT 'dup-' || id, case_id, direction, channel, author, body, happened_at, recorded_at, "
       "automatic, message_id FROM messages WHERE direction = 'from_customer' LIMIT 1")
FIRST = "(SELECT id FROM messages WHERE direction = 'from_customer' ORDER BY message_id LIMIT 1)"

# (what is damaged, how, which findings of the audit must say so)
DAMAGES: list[tuple[str, Callable[[Path], None], Callable[[Audit], list]]] = [
    ("an email deleted", _sql(f"DELETE FROM messages WHERE id = {FIRST}"), lambda a: a.lost),
    ("a body cut short", _sql(f"UPDATE messages SET body = substr(body, 1, 12) WHERE id = {FIRST}"), lambda a: a.corrupt),
    ("an email stored twice", _sql("DROP INDEX messages_message_id", DUP), lambda a: a.duplicates),
    ("an attachment file deleted", _attachment("delete"), lambda a: a.corrupt),
    ("an attachment file's bytes changed", _attachment("flip"), lambda a: a.corrupt),
    ("a case number reused", _sql("UPDATE cases SET number = -number WHERE number IN (1001, 1002)",
                                  "UPDATE cases SET number = 1002 WHERE number = -1001",
                                  "UPDATE cases SET number = 1001 WHERE number = -1002"), lambda a: a.problems),
    ("the case counter set back", _sql("UPDATE counters SET value = 1000 WHERE name = 'case_number'"), lambda a: a.problems),
    ("a search entry missing", _sql(f"DELETE FROM search_fts WHERE kind = 'message' AND ref = {FIRST}"), lambda a: a.corrupt),
    ("a reply moved off its thread's case",
     _sql("UPDATE messages SET case_id = (SELECT id FROM cases WHERE number = 1001) WHERE id = "
          "(SELECT m.id FROM messages m JOIN cases c ON c.id = m.case_id WHERE c.number != 1001 "
          "AND m.body LIKE 'start-%' ORDER BY c.number DESC LIMIT 1)"), lambda a: a.problems),
    ("a database page overwritten", _scribble, lambda a: a.corrupt),
]


def audit_bites(cli: Path, work: Path, env: dict[str, str]) -> tuple[int, list[str]]:
    """Returns (damages tried, the ones the audit missed)."""
    emails = generate(60, 4242, "selfcheck", attachment_every=5)
    expected = {e.message_id: e for e in emails}
    base = Shop(work / "selfcheck-base", cli, env)
    write_mbox(work / "selfcheck.mbox", emails)
    base.run("import", str(work / "selfcheck.mbox"))
    healthy = audit(base.db, expected, {}, final=True)
    missed = []
    if healthy.lost or healthy.duplicates or healthy.corrupt or healthy.problems:
        missed.append(f"the healthy database already has findings: {healthy}")
    for i, (what, damage, found) in enumerate(DAMAGES):
        copy = work / f"selfcheck-{i}"
        shutil.copytree(base.dir, copy)
        db = copy / base.db.name
        damage(db)
        a = audit(db, expected, healthy.cases, final=True)
        if not found(a):
            missed.append(f"{what}: not noticed (audit said {a.lost[:2]} {a.duplicates[:2]} {a.corrupt[:2]} "
                          f"{a.problems[:2]})")
        shutil.rmtree(copy, ignore_errors=True)
    return len(DAMAGES), missed
