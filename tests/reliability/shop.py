"""The shop under test (one database, driven through the real `shopdesk` CLI), killing it at a random
moment, and the audit of what it left on disk.

The audit never opens the live database: it copies the file and its WAL (not the -shm index, which
SQLite rebuilds) and reads the copy. Opening the original from Python and closing it last would
checkpoint the WAL and so do the crash recovery the next `shopdesk` run is supposed to do itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from mailgen import Expected


class Shop:
    def __init__(self, dir: Path, cli: Path, env: dict[str, str]):
        self.dir = dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.db = dir / "shopdesk.sqlite3"
        self.cli = cli
        self.env = dict(env)
        self.env.pop("SHOPDESK_DB", None)

    def _env(self, offset: int) -> dict[str, str]:
        return {**self.env, "SHOPDESK_CLOCK_OFFSET_SECS": str(offset)}

    def run(self, *args: str, offset: int = 0, input: str | None = None, timeout: float = 600,
            check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run([str(self.cli), "--db", str(self.db), *args], env=self._env(offset), input=input,
                              capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise RuntimeError(f"shopdesk {' '.join(args)} failed ({proc.returncode}): {proc.stderr}{proc.stdout}")
        return proc

    def json(self, *args: str, **kw):
        return json.loads(self.run("--json", *args, **kw).stdout)

    def start(self, *args: str, offset: int = 0) -> tuple[subprocess.Popen, Path]:
        log = self.dir / "last-run.log"
        out = open(log, "wb")
        try:
            proc = subprocess.Popen([str(self.cli), "--db", str(self.db), *args], env=self._env(offset),
                                    stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        finally:
            out.close()
        return proc, log

    def count(self, sql: str) -> int | None:
        """A number from the live database, read-only, while shopdesk may be writing; None when it can't be
        read right now. The connection is closed before returning, so it never outlives the writer."""
        if not self.db.exists():
            return None
        try:
            conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=0.5)
            try:
                return conn.execute(sql).fetchone()[0]
            finally:
                conn.close()
        except sqlite3.Error:
            return None


@dataclass
class Kill:
    landed: bool  # the process was still running when SIGKILL came
    seconds: float  # how long it ran
    how: str  # what decided the moment
    returncode: int | None
    output: str


def run_and_kill(shop: Shop, args: list[str], rng: random.Random, progress: Callable[[], int | None], total: int,
                 rounds_left: int = 1, offset: int = 0, early_max: float = 0.4, settle_max: float = 0.03,
                 limit: float = 600, first: bool = False) -> Kill:
    """Starts `shopdesk ARGS` and kills it with SIGKILL at a random moment: a quarter of the time within
    early_max seconds (opening the database, migrations, counting, connecting), otherwise once progress()
    reached a random target, plus up to settle_max seconds more (so the kill falls anywhere inside the step
    that follows: a transaction, an SMTP exchange). Targets are drawn from twice the remaining work shared
    out over rounds_left, so the later rounds of a batch still find work under way. first: the first run
    on a new database, killed within 0.15 s (opening it, creating the schema)."""
    start_progress = progress() or 0
    if first:  # a fresh database: the kill may land while the schema is being created
        early_max = 0.15
    if first or rng.random() < 0.25 or start_progress >= total:
        delay = rng.uniform(0, early_max if start_progress < total else 1.0)
        how, target = f"after {delay:.3f}s", None
    else:
        span = max(1, 2 * (total - start_progress) // max(1, rounds_left))
        target = rng.randint(start_progress + 1, min(total, start_progress + span))
        delay = rng.uniform(0, settle_max)
        how = f"at progress {target}/{total} +{delay * 1000:.0f}ms"
    proc, log = shop.start(*args, offset=offset)
    began = time.monotonic()
    if target is not None:
        while proc.poll() is None and time.monotonic() - began < limit:
            now = progress()
            if now is not None and now >= target:
                break
            time.sleep(0.005)
    end = time.monotonic() + delay
    while proc.poll() is None and time.monotonic() < end:
        time.sleep(0.001)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    landed = proc.returncode == -signal.SIGKILL  # not if it exited by itself just before the signal
    return Kill(landed, time.monotonic() - began, how, None if landed else proc.returncode,
                log.read_text(errors="replace").strip())


# --- the audit -------------------------------------------------------------------------------------------


@dataclass
class Audit:
    stored: int = 0
    lost: list[str] = field(default_factory=list)  # expected Message-IDs not stored (only when final)
    duplicates: list[str] = field(default_factory=list)  # stored more than once
    corrupt: list[str] = field(default_factory=list)  # damaged database, files or messages
    problems: list[str] = field(default_factory=list)  # other broken promises (reused case numbers, ...)
    notes: list[str] = field(default_factory=list)  # worth knowing, not a failure
    cases: dict[int, str] = field(default_factory=dict)  # number -> case id
    present: set[str] = field(default_factory=set)  # expected Message-IDs stored


def snapshot(db: Path) -> tuple[Path, Path]:
    """A copy of the database file and its WAL, as a process opening it next would find them."""
    tmp = Path(tempfile.mkdtemp(prefix="shopdesk-audit-"))
    copy = tmp / db.name
    shutil.copy2(db, copy)
    wal = db.with_name(db.name + "-wal")
    if wal.exists():
        shutil.copy2(wal, copy.with_name(copy.name + "-wal"))
    return tmp, copy


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def audit(db: Path, expected: dict[str, Expected], known_cases: dict[int, str], final: bool,
          check_threads: bool = True) -> Audit:
    """What the database holds against what was generated. Customer emails (direction from_customer) must
    all be expected ones, each stored once and whole (body start and end, attachments with the right
    bytes); every case number seen before still names the same case; the counter is past every number."""
    a = Audit()
    if not db.exists():
        if final:
            a.lost = sorted(expected)
        return a
    tmp, copy = snapshot(db)
    try:
        conn = sqlite3.connect(copy)
        try:
            _audit(conn, db, expected, known_cases, final, check_threads, a)
        except sqlite3.DatabaseError as e:
            a.corrupt.append(f"the database can't be read: {e}")
        finally:
            conn.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return a


def _audit(conn: sqlite3.Connection, db: Path, expected: dict[str, Expected], known_cases: dict[int, str],
           final: bool, check_threads: bool, a: Audit) -> None:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    if rows != ["ok"]:
        a.corrupt.append("integrity_check: " + "; ".join(rows[:5]))
    fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    if fk:
        a.corrupt.append(f"foreign_key_check: {len(fk)} rows point nowhere, e.g. {fk[:3]}")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "messages" not in tables or "cases" not in tables:
        return  # killed before the schema was in place: nothing stored yet (the next run creates it)
    try:
        # rank = 1: the index checked against the text it indexes too. The word index keeps no copy
        # of the text (external content, migration 18), so only this finds an entry missing from it.
        conn.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError as e:
        a.corrupt.append(f"the search index is damaged: {e}")

    # Every message and case has exactly one search entry (the rows of search_fts are read from
    # its content, search_map with the text), and no entry is left without its row.
    fts: dict[tuple[str, str], int] = {}
    for kind, ref, n in conn.execute("SELECT kind, ref, count(*) FROM search_fts GROUP BY kind, ref"):
        fts[(kind, ref)] = n
    msg_ids = {r[0] for r in conn.execute("SELECT id FROM messages")}
    case_ids = {r[0] for r in conn.execute("SELECT id FROM cases")}
    for kind, ids in (("message", msg_ids), ("case", case_ids)):
        wrong = [i for i in ids if fts.get((kind, i)) != 1]
        if wrong:
            a.corrupt.append(f"{len(wrong)} {kind}s without exactly one search entry, e.g. {wrong[0]}")
        stale = [ref for (k, ref) in fts if k == kind and ref not in ids]
        if stale:
            a.corrupt.append(f"{len(stale)} search entries for {kind}s that don't exist")

    # Customer emails against what was generated.
    seen: dict[str, list[tuple[str, str, str]]] = {}
    for mid, rfc, case_id, body in conn.execute(
            "SELECT id, message_id, case_id, body FROM messages WHERE direction = 'from_customer' "
            "AND message_id IS NOT NULL"):  # not an email: a call or visit logged by hand
        seen.setdefault(rfc, []).append((mid, case_id, body))
    attachments: dict[str, list[str]] = {}
    for mid, h in conn.execute("SELECT message_id, hash FROM attachments ORDER BY message_id, position"):
        attachments.setdefault(mid, []).append(h)
    files_dir = db.with_name("attachments")
    thread_cases: dict[int, set[str]] = {}
    for rfc, copies in seen.items():
        exp = expected.get(rfc)
        if exp is None:
            a.problems.append(f"a customer email nobody sent is stored: {rfc!r}")
            continue
        if len(copies) > 1:
            a.duplicates.append(rfc)
        a.present.add(rfc)
        for mid, case_id, body in copies:
            if exp.start not in body or exp.end not in body:
                a.corrupt.append(f"{rfc}: stored body is not the whole email ({len(body)} characters)")
            got = attachments.get(mid, [])
            if sorted(got) != sorted(exp.attachments):
                a.corrupt.append(f"{rfc}: attachments {got} stored, {exp.attachments} sent")
            for h in got:
                f = files_dir / h
                if not f.exists():
                    a.corrupt.append(f"{rfc}: attachment file {h} is missing")
                elif sha256_file(f) != h:
                    a.corrupt.append(f"{rfc}: attachment file {h} does not hold its bytes")
            thread_cases.setdefault(exp.thread, set()).add(case_id)
    a.stored = len(a.present)
    if final:
        a.lost = sorted(set(expected) - a.present)
    if check_threads:
        split = {t: c for t, c in thread_cases.items() if len(c) > 1}
        if split:
            t, c = next(iter(split.items()))
            a.problems.append(f"{len(split)} threads split over several cases (thread {t}: {len(c)} cases)")
        owner: dict[str, int] = {}
        for t, cs in thread_cases.items():
            for c in cs:
                if c in owner and owner[c] != t:
                    a.problems.append(f"threads {owner[c]} and {t} share a case")
                owner[c] = t

    # Case numbers: unique, stable, below the counter; no case without its first message.
    for number, case_id in conn.execute("SELECT number, id FROM cases"):
        a.cases[number] = case_id
    for number, case_id in known_cases.items():
        now = a.cases.get(number)
        if now is None:
            a.problems.append(f"case #{number} disappeared")
        elif now != case_id:
            a.problems.append(f"case number #{number} was reused (case {case_id} before, {now} now)")
    counter = conn.execute("SELECT value FROM counters WHERE name = 'case_number'").fetchone()
    if a.cases and (counter is None or counter[0] < max(a.cases)):
        a.problems.append(f"the case counter ({counter}) is behind the highest case number {max(a.cases)}: "
                          "the next case would reuse a number")
    empty = conn.execute("SELECT number FROM cases c WHERE NOT EXISTS "
                         "(SELECT 1 FROM messages m WHERE m.case_id = c.id)").fetchall()
    if empty:
        a.corrupt.append(f"{len(empty)} cases without any message, e.g. #{empty[0][0]}")
    lonely = conn.execute("SELECT count(*) FROM contacts p WHERE merged_into IS NULL AND NOT EXISTS "
                          "(SELECT 1 FROM cases c WHERE c.contact_id = p.id)").fetchone()[0]
    if lonely:
        a.problems.append(f"{lonely} contacts without any case (half-written intake)")

    # Files beside the database: every one holds the bytes its name says.
    if files_dir.is_dir():
        for f in files_dir.iterdir():
            if f.name.endswith(".part"):
                note = ("partial attachment files (attachments/<sha256>.part) stay behind after a kill or a full "
                        "disk: never referenced; the daily backup removes those over an hour old")
                if note not in a.notes:
                    a.notes.append(note)
            elif len(f.name) == 64 and sha256_file(f) != f.name:
                a.corrupt.append(f"attachment file {f.name} does not hold its bytes")


def ack_audit(db: Path) -> list[str]:
    """Acknowledgements: at most one per sender (the rule is one a day; the suite runs within one)."""
    tmp, copy = snapshot(db)
    try:
        conn = sqlite3.connect(copy)
        try:
            rows = conn.execute("SELECT to_addr, count(*) FROM outbox WHERE kind = 'acknowledgement' "
                                "GROUP BY to_addr HAVING count(*) > 1").fetchall()
        finally:
            conn.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [f"{to} was acknowledged {n} times" for to, n in rows]


def db_rows(db: Path, sql: str, args: tuple = ()) -> list[tuple]:
    """Rows from a snapshot of the database (see snapshot)."""
    tmp, copy = snapshot(db)
    try:
        conn = sqlite3.connect(copy)
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def leftover_pids(cli: Path) -> list[int]:
    """shopdesk processes still running (none should outlive a round)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            exe = os.readlink(proc / "exe")
            state = (proc / "stat").read_text().split()[2]
        except OSError:
            continue
        if exe == str(cli) and state != "Z":
            found.append(int(proc.name))
    return found
