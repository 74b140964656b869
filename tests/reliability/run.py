#!/usr/bin/env python3
"""Shopdesk's reliability suite (issue 8): crash, network and disk faults against the real `shopdesk` CLI,
real mail servers and a real keychain, checking that nothing is lost, doubled or damaged.

    tests/e2e/.venv/bin/python tests/reliability/run.py [--full] [--only import,send,...] [--seed N]

Faults (each checked with the audit in shop.py after every round and at the end):
  import   kill -9 during `shopdesk import` of an mbox, at random moments, then import to completion
  send     kill -9 during `shopdesk mail send` to an SMTP sink, until the outbox is empty
  fetch    kill -9 during `shopdesk mail fetch` from a throw-away Dovecot, then fetch to completion
  refused / hanging / dropped   the SMTP server down, silent, or dropping the connection mid-DATA
  diskfull the database on a small tmpfs that fills up during an import, then space is freed
  autoreply robots (robots.py) answer every email Shopdesk sends them, via the sink and Dovecot, for a run
           of fetch + send rounds 5 h apart on the shop's clock: one acknowledgement per sender a day, none
           to robot mail, and the traffic dies out
  imapkill Dovecot (every process of it) killed -9 in the middle of `mail fetch`, then started again
  imaphang an IMAP server that accepts and never answers (hanging_imap.py): fetch gives up by itself
  firstsync the first sync of a 2,000 (--full 20,000) email mailbox, `mail fetch` killed -9 and restarted:
           each restart resumes (Dovecot's rawlog shows nothing stored before the kill sent again)
  app      the desktop app (SHOPDESK_APP) killed -9 at random while its own fetcher and sender work and the
           CLI queues replies on the same database; restarted, N rounds
  load     the app (over WebDriver) imports 10,000 (--full 100,000) emails over ~2,000 (10,000) open cases
           while the queue, a case, the search palette and the contacts are opened: each completes while
           the import runs; latencies are reported, never asserted
  secrets  the mail password must not be in the database, its WAL, the backups, the app's folders or any log
  writers  `shopdesk import` and `shopdesk case reply` at once on one database: writes wait, none refused

Short (default): one batch of 10 kills per crash fault, a few minutes in all. --full: five batches of 10
(50 kills) per crash fault, each batch on a fresh database. Prints a table and exits 1 if anything was
lost, doubled or damaged, or a promise broke (see the notes under the table). Needs root (Dovecot, mount)
and a D-Bus session for the keychain: without one it restarts itself under dbus-run-session; the app and
secrets faults need an X display: without one it restarts itself under xvfb-run -a.
Time figures printed are for orientation only; nothing here asserts on speed.
"""

from __future__ import annotations

import argparse
import email
import imaplib
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from email import policy
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "e2e")]

from conftest import app_binary, cli_binary  # noqa: E402
from mailgen import Expected, crlf, generate, write_mbox  # noqa: E402
from mailservers import (IMAP_PASSWORD, IMAP_USER, HangingSmtp, Imap, ServerUnavailable, SmtpSink,  # noqa: E402
                         _read_ready, _stop_process, free_port, imap_unavailable_reason, keyring_session,
                         wait_port_closed)
from proctree import process_tree  # noqa: E402
from selfcheck import audit_bites  # noqa: E402
from shop import Audit, Shop, ack_audit, audit, db_rows, leftover_pids, run_and_kill  # noqa: E402

SMTP_PASSWORD = "app-password-4711"


@dataclass
class Result:
    fault: str
    rounds: int = 0  # rounds tried
    landed: int = 0  # rounds in which the fault really hit (the kill found the process running, ...)
    expected: int = 0  # emails that had to arrive (stored, or received by the server)
    lost: int = 0
    duplicates: int = 0
    resent: int = 0  # the same Message-ID sent again after a kill between the server's OK and the DB write
    corrupt: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: str | None = None
    note: str = ""  # the table's last column: counts worth seeing at a glance

    @property
    def failed(self) -> bool:
        return bool(self.lost or self.duplicates or self.corrupt or self.problems)

    def take(self, a: Audit, where: str, final: bool) -> None:
        """Counts an audit's findings (each distinct finding once)."""
        for c in a.corrupt:
            self._once(f"{where}: CORRUPT {c}", corrupt=True)
        for p in a.problems:
            self._once(f"{where}: {p}")
        for n in a.notes:
            if n not in self.notes:
                self.notes.append(n)
        if a.duplicates:
            self.duplicates += len(a.duplicates)
            self.problems.append(f"{where}: stored twice: {a.duplicates[:5]}")
        if final and a.lost:
            self.lost += len(a.lost)
            self.problems.append(f"{where}: lost {len(a.lost)}: {a.lost[:5]}")

    def _once(self, text: str, corrupt: bool = False) -> None:
        key = text.split(": ", 1)[1]
        if any(p.split(": ", 1)[1] == key for p in self.problems):
            return
        self.problems.append(text)
        if corrupt:
            self.corrupt += 1


class Ctx:
    def __init__(self, args, work: Path, env: dict[str, str]):
        self.full = args.full
        self.batches = args.batches or (5 if args.full else 1)
        self.rounds = args.rounds or 10
        self.seed = args.seed
        self.rng = random.Random(args.seed)
        self.work = work
        self.env = env
        self.cli = cli_binary()
        self.load_emails = tuple(int(x) for x in args.load_emails.split(":")) if args.load_emails else None

    def shop(self, name: str) -> Shop:
        return Shop(self.work / name, self.cli, self.env)


def log(fault: str, text: str) -> None:
    print(f"  [{fault}] {text}", flush=True)


def no_leftovers(ctx: Ctx, r: Result, where: str) -> None:
    pids = leftover_pids(ctx.cli)
    if pids:
        r.problems.append(f"{where}: shopdesk processes still running: {pids}")


def partial_files_cleared(r: Result, shop: Shop, where: str) -> int:
    """Half-written files a kill or a full disk leaves beside the database (attachments/<sha256>.part, a
    backup's backups/shopdesk-<time>.sqlite3.part and its -journal) are never referenced, and the daily
    backup removes those over an hour old. Aged two hours here, then `shopdesk backup`: none may be left.
    Returns how many there were."""
    parts = [p for folder in ("attachments", "backups") if (shop.dir / folder).is_dir()
             for p in (shop.dir / folder).iterdir() if ".part" in p.name]
    if not parts:
        return 0
    hours_ago = time.time() - 7200
    for p in parts:
        os.utime(p, (hours_ago, hours_ago))
    out = shop.run("backup", check=False)
    if out.returncode != 0:
        r.problems.append(f"{where}: shopdesk backup failed ({out.returncode}): {out.stderr.strip()[-300:]}")
    left = [p.relative_to(shop.dir) for p in parts if p.exists()]
    if left:
        r.problems.append(f"{where}: {len(left)} of {len(parts)} half-written files over an hour old stay after a "
                          f"backup (nothing else removes them): {[str(p) for p in left[:3]]}")
    note = "half-written files a kill left (attachments/*.part, backups/*.part) removed by the next backup"
    if note not in r.notes:
        r.notes.append(note)
    return len(parts)


def kill_note(k) -> str:
    if k.landed:
        return f"killed {k.how} ({k.seconds:.2f}s in)"
    return f"finished before the kill ({k.how}), exit {k.returncode}"


def check_kill(r: Result, k, where: str) -> None:
    """A run the kill missed must have succeeded: failing by itself means the last crash broke something."""
    if k.landed:
        r.landed += 1
    elif k.returncode != 0:
        r.problems.append(f"{where}: shopdesk failed by itself after an earlier kill (exit {k.returncode}): "
                          f"{k.output[-400:]}")


def kill_round(ctx: Ctx, r: Result, shop: Shop, args: list[str], progress, total: int, expected: dict[str, Expected],
               known: dict[int, str], where: str, i: int, **kill) -> tuple[object, Audit]:
    """Round i of a crash fault's batch: `shopdesk ARGS` killed -9 at a random moment (run_and_kill, with the
    batch's rounds left to share the work out), the kill checked, then the audit of what the dead process left
    (not final: emails still to come are not lost yet); the case numbers it saw are remembered in `known`."""
    r.rounds += 1
    k = run_and_kill(shop, args, ctx.rng, progress, total, rounds_left=ctx.rounds - i, **kill)
    check_kill(r, k, where)
    a = audit(shop.db, expected, known, final=False)
    r.take(a, where, final=False)
    known.update(a.cases)
    return k, a


def run_to_end(r: Result, shop: Shop, args: list[str], expected: dict[str, Expected], known: dict[int, str],
               where: str, **run) -> tuple[subprocess.CompletedProcess, Audit]:
    """The end of a batch: `shopdesk ARGS` once more, left to finish (it must succeed), then the final audit
    (every expected email stored once and whole: what isn't is lost)."""
    done = shop.run(*args, check=False, **run)
    if done.returncode != 0:
        r.problems.append(f"{where}: shopdesk {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    a = audit(shop.db, expected, known, final=True)
    r.take(a, where, final=True)
    return done, a


# --- 1. kill -9 during an mbox import -----------------------------------------------------------------


def fault_import(ctx: Ctx) -> Result:
    r = Result("kill -9 during mbox import")
    n = 3000
    for batch in range(ctx.batches):
        tag = f"imp{ctx.seed}b{batch}"
        emails = generate(n, ctx.seed * 100 + batch, tag)
        expected = {e.message_id: e for e in emails}
        r.expected += n
        shop = ctx.shop(f"import-{batch}")
        mbox = shop.dir / "past-mail.mbox"
        write_mbox(mbox, emails)
        known: dict[int, str] = {}
        progress = lambda: shop.count("SELECT count(*) FROM messages")  # noqa: E731
        for i in range(ctx.rounds):
            where = f"batch {batch} round {i + 1}"
            k, a = kill_round(ctx, r, shop, ["import", str(mbox)], progress, n, expected, known, where, i,
                              first=i == 0)
            log("import", f"{where}: {kill_note(k)}; {a.stored}/{n} stored, {len(a.cases)} cases, "
                          f"{'ok' if not (a.corrupt or a.problems) else 'FINDINGS'}")
        _, a = run_to_end(r, shop, ["import", str(mbox)], expected, known, f"batch {batch} final import")
        again = shop.json("import", str(mbox), check=False)
        if again.get("stored") != 0 or again.get("duplicates") != n:
            r.problems.append(f"batch {batch}: importing the whole mbox once more stored something: {again}")
        no_leftovers(ctx, r, f"batch {batch}")
        log("import", f"batch {batch} done: {a.stored}/{n} stored once, {len(a.cases)} cases, "
                      f"lost {len(a.lost)}, findings {len(a.corrupt) + len(a.problems)}")
    return r


# --- 2. kill -9 during an outbox send -----------------------------------------------------------------


def sink_received(sink: SmtpSink) -> tuple[dict[str, int], dict[str, bytes], list[str]]:
    """Message-ID -> how many times the sink got it; Message-ID -> one copy; mails it could not read."""
    counts: dict[str, int] = {}
    copies: dict[str, bytes] = {}
    unreadable: list[str] = []
    for raw, _env in sink.messages():
        mid = email.message_from_bytes(raw, policy=policy.default).get("Message-ID", "")
        mid = mid.strip().strip("<>")
        if not mid:
            unreadable.append(raw[:80].decode(errors="replace"))
            continue
        counts[mid] = counts.get(mid, 0) + 1
        copies[mid] = raw
    return counts, copies, unreadable


def sink_count(sink: SmtpSink) -> int:
    return len(list(sink.dir.glob("[0-9][0-9][0-9][0-9]*.json")))


def sink_settled(sink: SmtpSink, quiet: float = 0.5, limit: float = 10) -> None:
    """Waits until the sink has written nothing new for `quiet` seconds. A killed client may have handed
    over a whole email a moment before it died: the sink still files it (and answers 250 to nobody), and
    comparing with the database before that would miss the kill that falls in that window."""
    end = time.monotonic() + limit
    last, since = sink_count(sink), time.monotonic()
    while time.monotonic() < end and time.monotonic() - since < quiet:
        time.sleep(0.05)
        now = sink_count(sink)
        if now != last:
            last, since = now, time.monotonic()


def setup_sending_shop(shop: Shop, port: int, address: str = "shop@example.com") -> None:
    shop.run("mail", "setup", "--from-name", "Costa Ceramics", "--from-address", address, "--smtp-host", "127.0.0.1",
             "--smtp-port", str(port), "--smtp-security", "none", "--signature", "Costa Ceramics",
             "--acknowledge", "false")
    shop.run("mail", "password", input=SMTP_PASSWORD + "\n")


def queue_replies(shop: Shop, count: int, tag: str) -> dict[str, str]:
    """Imports customer emails and queues `count` replies over their cases; returns RFC Message-ID -> the
    token each reply's body carries."""
    emails = generate(max(count, 10), 7, f"cust-{tag}", attachment_every=0)
    mbox = shop.dir / "customers.mbox"
    write_mbox(mbox, emails)
    shop.run("import", str(mbox))
    numbers = [n for (n,) in db_rows(shop.db, "SELECT number FROM cases ORDER BY number")]
    for k in range(count):
        shop.run("case", "reply", str(numbers[k % len(numbers)]), "--text", f"reply-{tag}-{k} Your order left today.")
    rows = db_rows(shop.db, "SELECT m.message_id, m.body FROM outbox o JOIN messages m ON m.id = o.message_id")
    queued = {mid: body.split()[0] for mid, body in rows}
    assert len(queued) == count, f"{len(queued)} replies in the outbox, {count} queued"
    return queued


def outbox_states(shop: Shop) -> dict[str, str]:
    return dict(db_rows(shop.db, "SELECT m.message_id, o.state FROM outbox o JOIN messages m ON m.id = o.message_id"))


def fault_send(ctx: Ctx) -> Result:
    r = Result("kill -9 during outbox send")
    m = 100
    for batch in range(ctx.batches):
        shop = ctx.shop(f"send-{batch}")
        sink = SmtpSink(shop.dir / "smtp").start()
        try:
            setup_sending_shop(shop, sink.port)
            queued = queue_replies(shop, m, f"s{ctx.seed}b{batch}")
            customers = {e.message_id: e for e in generate(max(m, 10), 7, f"cust-s{ctx.seed}b{batch}", attachment_every=0)}
            r.expected += m
            windows: dict[str, int] = {}  # Message-ID -> kills that fell between the server's OK and the DB write
            known: dict[int, str] = {}
            offset = 0
            for i in range(ctx.rounds):
                offset += 3600  # past the 5-minute lease and any backoff a killed attempt left behind
                where = f"batch {batch} round {i + 1}"
                k, a = kill_round(ctx, r, shop, ["mail", "send"], lambda: sink_count(sink), m, customers, known,
                                  where, i, offset=offset, settle_max=0.05)
                sink_settled(sink)
                received, _, _ = sink_received(sink)
                states = outbox_states(shop)
                for mid, state in states.items():
                    if state == "sent" and mid not in received:
                        r.problems.append(f"{where}: {mid} is marked sent but the server never got it")
                        r.lost += 1
                    if state != "sent" and mid in received:
                        windows[mid] = windows.get(mid, 0) + 1
                sent = sum(1 for s in states.values() if s == "sent")
                log("send", f"{where}: {kill_note(k)}; server has {len(received)}/{m}, database says {sent} sent, "
                            f"{sum(1 for s in states.values() if s != 'sent' and s != 'queued')} neither queued nor sent")
            where = f"batch {batch} final"
            for _ in range(3):
                offset += 3600
                out = shop.run("mail", "send", offset=offset, check=False)
                if out.returncode != 0:
                    r.problems.append(f"{where}: mail send failed ({out.returncode}): {out.stderr.strip()}")
                if all(s == "sent" for s in outbox_states(shop).values()):
                    break
            offset += 3600
            last = shop.run("mail", "send", offset=offset, check=False)
            if "Sent 0 emails" not in last.stdout:
                r.problems.append(f"{where}: a pass over an empty outbox said {last.stdout.strip()!r}")
            states = outbox_states(shop)
            received, copies, unreadable = sink_received(sink)
            for u in unreadable:
                r._once(f"{where}: CORRUPT the server got an email without a Message-ID: {u!r}", corrupt=True)
            for mid, token in queued.items():
                got = received.get(mid, 0)
                if got == 0:
                    r.lost += 1
                    r.problems.append(f"{where}: reply {mid} ({token}) never reached the server "
                                      f"(outbox state {states.get(mid)})")
                    continue
                if states.get(mid) != "sent":
                    r.problems.append(f"{where}: reply {mid} reached the server but stays {states.get(mid)}")
                if token.encode() not in copies[mid]:
                    r._once(f"{where}: CORRUPT reply {mid} arrived without its text", corrupt=True)
                extra = got - 1
                explained = min(extra, windows.get(mid, 0))
                r.resent += explained
                if extra > explained:
                    r.duplicates += extra - explained
                    r.problems.append(f"{where}: reply {mid} arrived {got} times, {windows.get(mid, 0)} kill(s) "
                                      "fell between the server's OK and the database write")
            strangers = set(received) - set(queued)
            if strangers:
                r.problems.append(f"{where}: the server got emails nobody queued: {sorted(strangers)[:3]}")
            a = audit(shop.db, customers, known, final=True)
            r.take(a, where, final=False)
            no_leftovers(ctx, r, f"batch {batch}")
            log("send", f"batch {batch} done: {sum(1 for x in queued if received.get(x))}/{m} received, "
                        f"{sum(received.values()) - len(received)} resent with the same Message-ID")
        finally:
            sink.stop()
    return r


# --- 3. kill -9 during an IMAP fetch ------------------------------------------------------------------


def deliver_all(imap: Imap, emails: list[Expected]) -> None:
    client = imap.connect()
    try:
        for e in emails:
            typ, data = client.append("INBOX", None, None, crlf(e.raw))
            assert typ == "OK", data
    finally:
        client.logout()


def fault_fetch(ctx: Ctx) -> Result:
    r = Result("kill -9 during IMAP fetch")
    k_total = 300
    for batch in range(ctx.batches):
        try:
            imap = Imap()
        except ServerUnavailable as e:
            r.skipped = str(e)
            return r
        shop = ctx.shop(f"fetch-{batch}")
        try:
            imap.start()
            from datetime import datetime, timezone
            emails = generate(k_total, ctx.seed * 100 + 50 + batch, f"f{ctx.seed}b{batch}",
                              date=datetime.now(timezone.utc), attachment_every=25)
            expected = {e.message_id: e for e in emails}
            deliver_all(imap, emails)
            r.expected += k_total
            shop.run("mail", "setup", "--from-name", "Costa Ceramics", "--from-address", "shop@example.com",
                     "--username", IMAP_USER, "--imap-host", "127.0.0.1", "--imap-port", str(imap.port),
                     "--imap-security", "none", "--smtp-host", "127.0.0.1", "--smtp-port", str(free_port()),
                     "--smtp-security", "none", "--acknowledge", "true")
            shop.run("mail", "password", input=IMAP_PASSWORD + "\n")
            known: dict[int, str] = {}
            progress = lambda: shop.count("SELECT count(*) FROM messages WHERE direction = 'from_customer'")  # noqa: E731
            for i in range(ctx.rounds):
                where = f"batch {batch} round {i + 1}"
                k, a = kill_round(ctx, r, shop, ["mail", "fetch"], progress, k_total, expected, known, where, i)
                for p in ack_audit(shop.db) if shop.db.exists() else []:
                    r._once(f"{where}: {p}")
                log("fetch", f"{where}: {kill_note(k)}; {a.stored}/{k_total} filed, "
                             f"{'ok' if not (a.corrupt or a.problems) else 'FINDINGS'}")
            where = f"batch {batch} final"
            _, a = run_to_end(r, shop, ["--json", "mail", "fetch"], expected, known, where)
            for p in ack_audit(shop.db):
                r._once(f"{where}: {p}")
            # Every sender with a case got one acknowledgement (all of this mail is fresh, none from a robot).
            unacked = db_rows(shop.db, "SELECT DISTINCT e.email FROM cases c JOIN contact_emails e ON e.contact_id = c.contact_id "
                                       "WHERE e.email NOT IN (SELECT to_addr FROM outbox WHERE kind = 'acknowledgement')")
            if unacked:
                r.problems.append(f"{where}: {len(unacked)} senders never got their acknowledgement, e.g. {unacked[0][0]}")
            again = shop.json("mail", "fetch", check=False)
            if again.get("fetched") != 0:
                r.problems.append(f"{where}: fetching once more brought {again}")
            no_leftovers(ctx, r, f"batch {batch}")
            partial_files_cleared(r, shop, f"batch {batch}")
            log("fetch", f"batch {batch} done: {a.stored}/{k_total} filed once, lost {len(a.lost)}, "
                         f"findings {len(a.corrupt) + len(a.problems)}")
        finally:
            imap.close()
    return r


# --- 4. network faults on the way out -----------------------------------------------------------------


class DroppingSmtp:
    """dropping_smtp.py: takes the client to DATA, then drops the connection mid-email (rotating how)."""

    def __init__(self, port: int, events: Path, mode: str):
        self.port, self.events, self.mode = port, events, mode
        self._proc = None

    def start(self) -> "DroppingSmtp":
        self._proc = subprocess.Popen([sys.executable, str(HERE / "dropping_smtp.py"), str(self.port), str(self.events), self.mode],
                                      stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        _read_ready(self._proc, 10, f"dropping SMTP server on port {self.port}", Path("/dev/null"))
        return self

    def stop(self) -> None:
        _stop_process(self._proc)
        wait_port_closed(self.port)

    def drops(self) -> list[dict]:
        if not self.events.exists():
            return []
        return [json.loads(line) for line in self.events.read_text().splitlines() if line.strip()]


def fault_network(ctx: Ctx, kind: str, rounds: int) -> Result:
    names = {"refused": "SMTP server down (refused)", "hanging": "SMTP server never greets",
             "dropped": "SMTP connection dropped mid-DATA"}
    wording = {"refused": "Could not reach the mail server", "hanging": "did not answer within 60 seconds"}
    r = Result(names[kind])
    shop = ctx.shop(f"net-{kind}")
    port = free_port()
    setup_sending_shop(shop, port, address=f"{kind}@example.com")
    shop.run("case", "open", "--new-name", "Ana Costa", "--new-email", f"ana-{kind}@example.org", "--subject", "Parcel",
             "--channel", "email", "--text", "Where is my parcel?")
    offset = 0
    for i in range(rounds):
        r.rounds += 1
        r.expected += 1
        where = f"round {i + 1}"
        token = f"net-{kind}-{i}"
        shop.run("case", "reply", "1001", "--text", f"{token} It left our workshop today.", offset=offset)
        mid = db_rows(shop.db, "SELECT message_id FROM messages WHERE body LIKE ?", (f"{token} %",))[0][0]
        server = None
        if kind == "hanging":
            server = HangingSmtp(port).start()
        elif kind == "dropped":
            mode = ("fin-headers", "rst-body", "fin-after-dot")[i % 3]
            server = DroppingSmtp(port, shop.dir / "drops.jsonl", mode).start()
        drops_before = len(server.drops()) if kind == "dropped" else 0
        try:
            began = time.monotonic()
            try:
                out = shop.run("mail", "send", offset=offset, check=False, timeout=90)
            except subprocess.TimeoutExpired:
                r.problems.append(f"{where}: mail send did not return within 90 s (its own limit is 60 s)")
                continue
            took = time.monotonic() - began
        finally:
            if server is not None:
                server.stop()
        said = out.stdout.strip().replace("\n", " | ")
        if out.returncode != 0 or "Sent 0 emails" not in out.stdout or "Not sent:" not in out.stdout:
            r.problems.append(f"{where}: mail send said {said!r} {out.stderr.strip()!r} (exit {out.returncode})")
        if f"127.0.0.1:{port}" not in out.stdout or wording.get(kind, "") not in out.stdout:
            r.problems.append(f"{where}: the message doesn't say what went wrong clearly: {said!r}")
        if kind == "dropped":
            new = server.drops()[drops_before:]
            if not new or new[-1]["message_id"] != mid or new[-1]["mode"] != mode:
                r.problems.append(f"{where}: the server did not drop this email mid-DATA (events {new})")
            else:
                r.landed += 1
                said += f" [dropped: {new[-1]['mode']}]"
        else:
            r.landed += 1
        row = db_rows(shop.db, "SELECT o.state, o.attempts, o.last_error FROM outbox o JOIN messages m ON m.id = o.message_id "
                               "WHERE m.message_id = ?", (mid,))
        if not row or row[0][0] != "queued" or not row[0][2]:
            r.problems.append(f"{where}: after the failure the reply is {row} instead of queued with its error")
        if i == 0 or ctx.full:
            log(kind, f"{where}: returned after {took:.1f}s: {said}")
        # The server is back: the reply goes, once.
        sink = SmtpSink(shop.dir / f"smtp-{i}", port=port).start()
        try:
            offset += 3600
            back = shop.run("mail", "send", offset=offset, check=False)
            offset += 3600
            after = shop.run("mail", "send", offset=offset, check=False)
            received, copies, _ = sink_received(sink)
        finally:
            sink.stop()
        if "Sent 1 emails" not in back.stdout or "Sent 0 emails" not in after.stdout:
            r.problems.append(f"{where}: with the server back: {back.stdout.strip()!r}, then {after.stdout.strip()!r}")
        got = received.get(mid, 0)
        if got == 0:
            r.lost += 1
            r.problems.append(f"{where}: reply {mid} never arrived once the server was back")
        elif got > 1:
            r.duplicates += got - 1
            r.problems.append(f"{where}: reply {mid} arrived {got} times")
        elif token.encode() not in copies[mid]:
            r._once(f"{where}: CORRUPT reply {mid} arrived without its text", corrupt=True)
        if set(received) - {mid}:
            r.problems.append(f"{where}: other emails went out too: {sorted(set(received) - {mid})}")
        state = db_rows(shop.db, "SELECT o.state FROM outbox o JOIN messages m ON m.id = o.message_id "
                                 "WHERE m.message_id = ?", (mid,))
        if state != [("sent",)]:
            r.problems.append(f"{where}: after sending, the outbox says {state}")
    a = audit(shop.db, {}, {}, final=False, check_threads=False)
    r.take(a, "end", final=False)
    no_leftovers(ctx, r, "end")
    return r


# --- 5. disk full -------------------------------------------------------------------------------------


def mount_tmpfs(dir: Path, size: int) -> str | None:
    """Mounts a tmpfs of `size` bytes on dir; the reason it can't, or None."""
    dir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(dir)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        return f"mount -t tmpfs is not allowed here: {done.stderr.strip() or done.returncode}"
    return None


def fill(path: Path, size: int) -> None:
    with open(path, "wb") as f:
        f.truncate(0)
        chunk = b"\0" * (1 << 20)
        left = size
        while left > 0:
            f.write(chunk[: min(left, len(chunk))])
            left -= min(left, len(chunk))


def footprint(dir: Path) -> int:
    return sum(f.stat().st_size for f in dir.rglob("*") if f.is_file())


def fault_disk_full(ctx: Ctx) -> Result:
    r = Result("disk full during import")
    n = 1500
    emails = generate(n, ctx.seed * 100 + 99, f"full{ctx.seed}", attachment_every=4, attachment_size=(8_000, 30_000))
    expected = {e.message_id: e for e in emails}
    mbox = ctx.work / "full-mail.mbox"  # outside the small disk: only the database side fills up
    write_mbox(mbox, emails)
    # How much the finished import takes, to size the small disk so most rounds run out of space.
    probe = ctx.shop("full-probe")
    probe.run("import", str(mbox))
    needed = footprint(probe.dir)
    shutil.rmtree(probe.dir, ignore_errors=True)
    size = needed + 8 * 2**20 + 2**20
    mnt = ctx.work / "small-disk"
    why = mount_tmpfs(mnt, size)
    if why:
        r.skipped = why
        return r
    try:
        ballast = mnt / "ballast"
        errors: set[str] = set()
        for batch in range(ctx.batches):
            shop = Shop(mnt / f"shop-{batch}", ctx.cli, ctx.env)
            known: dict[int, str] = {}
            for i in range(ctx.rounds):
                r.rounds += 1
                where = f"batch {batch} round {i + 1}"
                # Room for a random share of what the import still needs, the share growing over the batch's
                # rounds: each round runs out of space at a different point (WAL, checkpoint, attachment file).
                shop_size = footprint(shop.dir) if shop.dir.exists() else 0
                still = max(0, needed + 4 * 2**20 - shop_size)
                room = 128 * 1024 + int(0.8 * still * (i + ctx.rng.random()) / ctx.rounds)
                fill(ballast, 0)
                fill(ballast, max(0, size - shop_size - room - 64 * 1024))
                free = os.statvfs(mnt).f_bavail * os.statvfs(mnt).f_frsize
                out = shop.run("import", str(mbox), check=False, timeout=600)
                err = (out.stderr or "").strip()
                if out.returncode == 0:
                    note = "completed (enough room)"
                elif out.returncode < 0:
                    r.problems.append(f"{where}: shopdesk died of signal {-out.returncode} on a full disk: {err[-300:]}")
                    note = f"died of signal {-out.returncode}"
                else:
                    r.landed += 1
                    note = f"stopped: {err[:160]}"
                    if not any(w in err.lower() for w in ("full", "no space left")):
                        r.problems.append(f"{where}: the error doesn't say the disk is full: {err!r}")
                    errors.add(re.sub(r"/\S+", "<path>", err.splitlines()[0] if err else ""))
                    if "Could not create the folder" in err and re.search(r"/attachments/[0-9a-f]{64}\b", err):
                        wording = ("a failed attachment *file* write is worded 'Could not create the folder "
                                   "<…/attachments/HASH>' (core/src/store/outbox.rs store_attachments maps the "
                                   "write error to Error::Folder)")
                        if wording not in r.notes:
                            r.notes.append(wording)
                a = audit(shop.db, expected, known, final=False)
                r.take(a, where, final=False)
                known.update(a.cases)
                log("diskfull", f"{where}: {free // 1024} KiB free: {note}; {a.stored}/{n} stored, "
                                f"{'ok' if not (a.corrupt or a.problems) else 'FINDINGS'}")
                if out.returncode == 0:
                    break
            ballast.unlink(missing_ok=True)
            where = f"batch {batch} after freeing space"
            _, a = run_to_end(r, shop, ["import", str(mbox)], expected, known, where)
            r.expected += n
            log("diskfull", f"{where}: {a.stored}/{n} stored once, lost {len(a.lost)}")
            no_leftovers(ctx, r, f"batch {batch}")
            shutil.rmtree(shop.dir, ignore_errors=True)  # room for the next batch
        r.notes.extend(f"error shown on a full disk: {e}" for e in sorted(errors))
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)
        if os.path.ismount(mnt):
            subprocess.run(["umount", "-l", str(mnt)], capture_output=True)
    return r


# --- 6. an auto-reply loop ----------------------------------------------------------------------------


def deliver_sent(imap: Imap, sent: list) -> None:
    """APPENDs emails (robots.Sent) to the shop's mailbox."""
    if not sent:
        return
    client = imap.connect()
    try:
        for s in sent:
            typ, data = client.append("INBOX", None, None, s.expected.raw)
            assert typ == "OK", data
    finally:
        client.logout()


def setup_mail_shop(shop: Shop, imap_port: int, smtp_port: int, password: str = IMAP_PASSWORD,
                    acknowledge: bool = True) -> None:
    shop.run("mail", "setup", "--from-name", "Costa Ceramics", "--from-address", "shop@example.com",
             "--username", IMAP_USER, "--imap-host", "127.0.0.1", "--imap-port", str(imap_port),
             "--imap-security", "none", "--smtp-host", "127.0.0.1", "--smtp-port", str(smtp_port),
             "--smtp-security", "none", "--signature", "Costa Ceramics",
             "--acknowledge", "true" if acknowledge else "false")
    shop.run("mail", "password", input=password + "\n")


def fault_autoreply(ctx: Ctx) -> Result:
    """Robots (robots.py) answer every email Shopdesk sends them, through the real sink and Dovecot, while
    Shopdesk fetches and sends in rounds 5 hours apart on its clock. At most one acknowledgement per sender
    a day, none to robot mail, every person's new email acknowledged within that rule, and the traffic dies
    out once the one person who keeps writing stops."""
    from robots import NEVER_ACKED, Robots, shop_time
    r = Result("auto-reply loop (robots answer all)")
    rounds = 36 if ctx.full else 12
    step = 5 * 3600
    chatty_until = rounds * 2 // 3  # the person writes in these rounds; the rest must go quiet
    try:
        imap = Imap()
    except ServerUnavailable as e:
        r.skipped = str(e)
        return r
    shop = ctx.shop("autoreply")
    sink = SmtpSink(shop.dir / "smtp").start()
    try:
        imap.start()
        setup_mail_shop(shop, imap.port, sink.port)
        robots = Robots(f"a{ctx.seed}")
        offset = 0
        deliver_sent(imap, robots.first(shop_time(offset)))
        seen = 0
        known: dict[int, str] = {}
        traffic: list[tuple[int, int]] = []  # per round: (emails the robots wrote, emails Shopdesk sent)
        for i in range(rounds):
            r.rounds += 1
            where = f"round {i + 1} (shop clock +{offset // 3600} h)"
            news = []
            if 0 < i < chatty_until:
                news.append(robots.chatty(shop_time(offset), i))
                if i % 4 == 0:
                    news.append(robots.newsletter(shop_time(offset)))
            deliver_sent(imap, news)
            fetched = shop.run("--json", "mail", "fetch", offset=offset, check=False)
            if fetched.returncode != 0:
                r.problems.append(f"{where}: mail fetch failed ({fetched.returncode}): {fetched.stderr.strip()}")
            sent = shop.run("mail", "send", offset=offset, check=False)
            if sent.returncode != 0 or "Not sent" in sent.stdout:
                r.problems.append(f"{where}: mail send: {sent.stdout.strip()!r} {sent.stderr.strip()!r}")
            new = sink.messages()[seen:]
            seen += len(new)
            answers = []
            for raw, _env in new:
                answers.extend(robots.answer(raw, shop_time(offset)))
            deliver_sent(imap, answers)
            if answers:
                r.landed += 1
            traffic.append((len(news) + len(answers), len(new)))
            a = audit(shop.db, {s.expected.message_id: s.expected for s in robots.written}, known, final=False,
                      check_threads=False)
            r.take(a, where, final=False)
            known.update(a.cases)
            log("autoreply", f"{where}: fetched {json.loads(fetched.stdout or '{}').get('fetched')}, "
                             f"Shopdesk sent {len(new)}, robots answered {len(answers)}")
            offset += step
        # The last mail the robots wrote is filed, and nothing more goes out.
        shop.run("mail", "fetch", offset=offset, check=False)
        tail = shop.run("mail", "send", offset=offset, check=False)
        if "Sent 0 emails" not in tail.stdout:
            r.problems.append(f"after the last round Shopdesk still sends: {tail.stdout.strip()!r}")
        expected = {s.expected.message_id: s.expected for s in robots.written}
        r.expected = len(expected)
        a = audit(shop.db, expected, known, final=True, check_threads=False)
        r.take(a, "end", final=True)

        # Acknowledgements, as the robots received them: at most one per sender per 24 h of shop clock.
        acks: dict[str, list] = {}
        for raw, env in sink.messages():
            msg = email.message_from_bytes(raw, policy=policy.default)
            if msg.get("Auto-Submitted") != "auto-replied":
                r.problems.append(f"Shopdesk sent something that is not an acknowledgement: {msg.get('Subject')!r}")
                continue
            for to in env["rcpt_tos"]:
                acks.setdefault(to.lower(), []).append(email.utils.parsedate_to_datetime(msg["Date"]))
        for to, dates in sorted(acks.items()):
            dates.sort()
            close = [(x, y) for x, y in zip(dates, dates[1:]) if (y - x).total_seconds() < 24 * 3600]
            if close:
                r.duplicates += len(close)
                r.problems.append(f"{to} got {len(close) + 1} acknowledgements within 24 h: {close[0]}")
            if to in NEVER_ACKED:
                r.duplicates += len(dates)
                r.problems.append(f"{to} (robot mail only) got {len(dates)} acknowledgements")
        # None triggered by robot mail: the case each acknowledgement belongs to was opened by a person's email.
        kinds = {s.expected.message_id: s for s in robots.written}
        for (rfc,) in db_rows(shop.db, """
                SELECT (SELECT m.message_id FROM messages m WHERE m.case_id = o_case.case_id
                        AND m.direction = 'from_customer' ORDER BY m.happened_at, m.id LIMIT 1)
                FROM (SELECT DISTINCT m.case_id FROM outbox o JOIN messages m ON m.id = o.message_id
                      WHERE o.kind = 'acknowledgement') o_case"""):
            s = kinds.get(rfc)
            if s is None or s.auto:
                r.problems.append(f"an acknowledgement answered robot mail ({s.robot if s else '?'}: "
                                  f"{s.auto if s else rfc})")
        # Every person's new email got its acknowledgement, within the once-a-day rule (simulated here).
        want: dict[str, int] = {}
        last: dict[str, object] = {}
        for s in robots.written:
            if s.auto:
                continue
            prev = last.get(s.expected.sender)
            if prev is None or (s.at - prev).total_seconds() >= 24 * 3600:
                want[s.expected.sender] = want.get(s.expected.sender, 0) + 1
                last[s.expected.sender] = s.at
        for sender, n in sorted(want.items()):
            got = len(acks.get(sender, []))
            if got < n:
                r.problems.append(f"{sender} wrote {n} times more than a day apart as a person and got only {got} "
                                  "acknowledgements")
        quiet = traffic[-3:]
        if any(w or s for w, s in quiet):
            r.problems.append(f"the loop did not die out: the last rounds still carried mail {quiet}")
        first_quiet = next((k + 1 for k in range(len(traffic)) if all(w == 0 and s == 0 for w, s in traffic[k:])),
                           None)
        total_in = sum(w for w, _ in traffic) + 5
        total_out = sum(s for _, s in traffic)
        per = ", ".join(f"{to.split('@')[0]} {len(d)}" for to, d in sorted(acks.items()))
        r.note = (f"{total_in + total_out} emails ({total_in} in, {total_out} acks: {per}); "
                  f"0 to robot mail; quiet from round {first_quiet}")
        log("autoreply", r.note)
        no_leftovers(ctx, r, "end")
    finally:
        sink.stop()
        imap.close()
    return r


# --- 7. IMAP faults: the server killed mid-fetch, a server that never answers --------------------------


def kill_dovecot(imap: Imap) -> None:
    """SIGKILL to the Dovecot master and every process under it (imap, imap-login, auth, log) at once:
    the server is gone mid-command, its connections broken. Mail and UIDVALIDITY stay on disk."""
    for pid in process_tree(imap._proc.pid):  # the master first: it forks nothing more
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    imap._kill()
    imap.stop()  # forgets the run dir


def fault_imap_killed(ctx: Ctx) -> Result:
    """Dovecot (master and every child) killed -9 while `mail fetch` is bringing mail in, at a random point of
    the fetch; then started again on the same mailbox. Each round first adds 60 new emails, so there is always
    a fetch under way to break. The fetch must return with a message that says what went wrong, and the
    final fetch must bring in everything once."""
    r = Result("IMAP server killed mid-fetch")
    first, more = 100, 60
    rounds = ctx.rounds * ctx.batches
    try:
        imap = Imap()
    except ServerUnavailable as e:
        r.skipped = str(e)
        return r
    shop = ctx.shop("imap-killed")
    try:
        imap.start()
        from datetime import datetime, timezone
        emails = generate(first + more * rounds, ctx.seed * 100 + 77, f"ik{ctx.seed}", date=datetime.now(timezone.utc),
                          attachment_every=15)
        expected = {e.message_id: e for e in emails}
        deliver_all(imap, emails[:first])
        delivered = first
        setup_mail_shop(shop, imap.port, free_port())
        known: dict[int, str] = {}
        said: set[str] = set()
        progress = lambda: shop.count("SELECT count(*) FROM messages WHERE direction = 'from_customer'")  # noqa: E731
        for i in range(rounds):
            r.rounds += 1
            where = f"round {i + 1}"
            deliver_all(imap, emails[delivered:delivered + more])
            delivered += more
            start = progress() or 0
            early = ctx.rng.random() < 0.2  # while connecting, logging in, opening the folder
            target = None if early else ctx.rng.randint(start + 1, max(start + 1, delivered - 15))
            delay = ctx.rng.uniform(0, 0.12 if early else 0.03)
            proc, out_log = shop.start("mail", "fetch")
            began = time.monotonic()
            while target is not None and proc.poll() is None and time.monotonic() - began < 120:
                now = progress()
                if now is not None and now >= target:
                    break
                time.sleep(0.005)
            time.sleep(delay)
            running = proc.poll() is None
            kill_dovecot(imap)
            try:
                proc.wait(150)  # its own limits: 60 s a step; a reset connection fails at once
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                r.problems.append(f"{where}: mail fetch did not return within 150 s of the server's death")
            took = time.monotonic() - began
            text = out_log.read_text(errors="replace").strip()
            if running:
                if proc.returncode == 0:
                    note = "finished anyway"
                else:
                    r.landed += 1
                    note = f"exit {proc.returncode}: {text[:200]!r}"
                    said.add(re.sub(r"\d+", "N", text.splitlines()[-1] if text else "(nothing)")[:200])
                    if proc.returncode < 0:
                        r.problems.append(f"{where}: mail fetch died of signal {-proc.returncode}")
                    elif not re.search(r"127\.0\.0\.1:\d+|mail server|Fetching mail failed", text):
                        r.problems.append(f"{where}: the message doesn't say what went wrong: {text!r}")
            else:
                note = f"finished before the server died (exit {proc.returncode})"
            a = audit(shop.db, expected, known, final=False)
            r.take(a, where, final=False)
            for p in ack_audit(shop.db):
                r._once(f"{where}: {p}")
            known.update(a.cases)
            log("imap-killed", f"{where}: server killed {'early' if early else f'at {target}/{delivered}'} "
                               f"+{delay * 1000:.0f}ms, fetch returned after {took:.1f}s, {note}; "
                               f"{a.stored}/{delivered} filed")
            imap.start()
        where = "final"
        r.expected = delivered
        _, a = run_to_end(r, shop, ["--json", "mail", "fetch"], {e.message_id: e for e in emails[:delivered]}, known,
                          where)
        for p in ack_audit(shop.db):
            r._once(f"{where}: {p}")
        again = shop.json("mail", "fetch", check=False)
        if again.get("fetched") != 0:
            r.problems.append(f"{where}: fetching once more brought {again}")
        if any(("Broken pipe" in s or "Connection reset" in s) and "N.N.N.N:N" not in s for s in said):
            r.notes.append("a mail server that goes away mid-fetch reads as 'Fetching mail failed: io: Broken pipe "
                           "(os error 32)': it names no server and doesn't say the connection was lost "
                           "(core/src/mail/imap.rs fetch_new maps the error as is)")
        if any("refused the login" in s for s in said):
            r.notes.append("a server that dies during LOGIN reads as 'The mail server … refused the login: check the "
                           "username and password in Settings (connection lost)': the password was fine "
                           "(core/src/mail/imap.rs login maps every error of LOGIN to a refusal)")
        r.note = "said: " + " / ".join(sorted({re.sub(r" \(os error N\)|error: ", "", s) for s in said}))
        log("imap-killed", f"caught up: {a.stored}/{delivered} filed once; messages shown: {sorted(said)}")
        no_leftovers(ctx, r, "end")
        partial_files_cleared(r, shop, "end")
    finally:
        imap.close()
    return r


# --- 7b. the first sync of a big mailbox, killed -9 and resumed ---------------------------------------


FETCHED_BODY = re.compile(rb"\* \d+ FETCH \(UID (\d+) BODY\[\] \{")
FETCH_COMMAND = re.compile(rb"^\d+\.\d+ \S+ UID FETCH (\S+) \(UID BODY\.PEEK\[\]\)", re.M)
BATCH_UIDS = 10  # core/src/mail/imap.rs BATCH: emails per UID FETCH, filed per transaction


def deliver_maildir(imap: Imap, emails: list[Expected]) -> None:
    """Puts the emails straight into the mailbox's Maildir (tmp/ then renamed into new/, owned by the mail
    user), as a delivery agent does: thousands in a second or two, where APPEND takes a minute. The names
    start with a rising time, so Dovecot gives them UIDs in this order when it next looks."""
    import grp
    import pwd
    nobody = pwd.getpwnam("nobody")
    uid, gid = nobody.pw_uid, grp.getgrgid(nobody.pw_gid).gr_gid
    maildir = imap.dir / "mail" / IMAP_USER.split("@")[0] / "Maildir"
    for sub in ("", "cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    for d in (maildir.parent, maildir, maildir / "cur", maildir / "new", maildir / "tmp"):
        os.chown(d, uid, gid)
    base = 1_700_000_000
    for i, e in enumerate(emails):
        name = f"{base + i}.M{i}P{os.getpid()}.shopdesk"
        tmp = maildir / "tmp" / name
        tmp.write_bytes(e.raw)
        os.chown(tmp, uid, gid)
        os.rename(tmp, maildir / "new" / name)


def uids_by_message_id(imap: Imap) -> dict[str, int]:
    """Message-ID -> UID of every email in INBOX (headers only; no body is fetched). The SELECT (read-write,
    as the shop's own mail program would open it) makes Dovecot index the new mail and move it from new/ to
    cur/ once: under a read-only EXAMINE, as `mail fetch` opens it, mail left in new/ is looked at again on
    every command (a first sync of 20,000 then ran at under one email a second). A long timeout: indexing
    20,000 emails takes a while on a busy machine."""
    client = imaplib.IMAP4(imap.host, imap.port, timeout=600)
    client.login(imap.user, imap.password)
    try:
        client.select("INBOX")
        typ, data = client.uid("FETCH", "1:*", "(UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        assert typ == "OK", data
        out: dict[str, int] = {}
        for item in data:
            if isinstance(item, tuple):
                uid = int(re.search(rb"UID (\d+)", item[0]).group(1))
                mid = re.search(rb"<([^>]+)>", item[1]).group(1).decode()
                out[mid] = uid
        return out
    finally:
        client.logout()


def wait_sessions_closed(sessions: list[tuple[Path, Path]], limit: float = 20) -> None:
    """Waits until the Dovecot imap process of each session (its pid is in the rawlog's name) has exited:
    one process a session (service_count 1), so by then its rawlog holds everything it sent."""
    pids = [int(i.name.split(".")[1]) for i, _ in sessions]
    end = time.monotonic() + limit
    while time.monotonic() < end:
        alive = []
        for pid in pids:
            try:
                if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                    alive.append(pid)
            except (OSError, IndexError):
                pass
        if not alive:
            return
        time.sleep(0.05)


def served_uids(sessions: list[tuple[Path, Path]]) -> tuple[list[int], list[str]]:
    """The UIDs whose whole body (BODY[]) the server sent in these sessions, and the UID FETCH ranges asked."""
    uids: list[int] = []
    ranges: list[str] = []
    for ins, out in sessions:
        if out.exists():
            uids.extend(int(u) for u in FETCHED_BODY.findall(out.read_bytes()))
        ranges.extend(r.decode() for r in FETCH_COMMAND.findall(ins.read_bytes()))
    return uids, ranges


def fault_first_sync(ctx: Ctx) -> Result:
    """The first sync of a big mailbox (2,000 emails short, 20,000 with --full, put into Dovecot's Maildir),
    `shopdesk mail fetch` killed -9 at random moments and started again. After every kill: the audit, the
    count of stored emails never goes down, and from Dovecot's rawlog (every byte it sent): the restart did
    not download any email stored before the kill, and downloaded again at most the one batch (10 UIDs, filed
    in one transaction with the cursor) that was in flight when the kill came. At the end all are stored once."""
    r = Result("first IMAP sync killed -9, resumed")
    n = 20_000 if ctx.full else 2_000
    try:
        imap = Imap(rawlog=True)
    except ServerUnavailable as e:
        r.skipped = str(e)
        return r
    shop = ctx.shop("first-sync")
    try:
        emails = generate(n, ctx.seed * 100 + 88, f"fs{ctx.seed}", attachment_every=50)
        expected = {e.message_id: e for e in emails}
        t = time.monotonic()
        deliver_maildir(imap, emails)
        imap.start()
        uid_of = uids_by_message_id(imap)  # also lets Dovecot index the new mail before the clock starts
        log("firstsync", f"{n} emails in the Maildir, indexed by Dovecot, in {time.monotonic() - t:.1f}s")
        if sorted(uid_of) != sorted(expected):
            r.problems.append(f"the mailbox holds {len(uid_of)} emails, {n} were delivered")
            return r
        order = [uid_of[e.message_id] for e in emails]
        if order != sorted(order):
            r.problems.append("Dovecot numbered the emails out of delivery order: replies would come before the "
                              "email they answer (a harness problem)")
            return r
        r.expected = n
        setup_mail_shop(shop, imap.port, free_port(), acknowledge=False)
        known: dict[int, str] = {}
        served_before: set[int] = set()
        stored_uids: set[int] = set()
        stored = 0
        again_total = 0
        progress = lambda: shop.count("SELECT count(*) FROM messages WHERE direction = 'from_customer'")  # noqa: E731
        rounds = ctx.rounds * ctx.batches
        for i in range(rounds + 1):
            final = i == rounds
            where = "final fetch" if final else f"round {i + 1}"
            sessions_before = {s[0] for s in imap.rawlog_sessions()}
            if final:
                t = time.monotonic()
                done = shop.run("--json", "mail", "fetch", check=False, timeout=3600)
                took = time.monotonic() - t
                if done.returncode != 0:
                    r.problems.append(f"{where}: fetch failed ({done.returncode}): {done.stderr.strip()}")
                note = f"ran to the end in {took:.1f}s"
            else:
                r.rounds += 1
                k = run_and_kill(shop, ["mail", "fetch"], ctx.rng, progress, n, rounds_left=rounds - i,
                                 first=i == 0, limit=3600)
                check_kill(r, k, where)
                note = kill_note(k)
            new_sessions = [s for s in imap.rawlog_sessions() if s[0] not in sessions_before]
            wait_sessions_closed(new_sessions)
            served, ranges = served_uids(new_sessions)
            a = audit(shop.db, expected, known, final=final)
            r.take(a, where, final=final)
            known.update(a.cases)
            if a.stored < stored:
                r.problems.append(f"{where}: stored emails went down from {stored} to {a.stored}")
            # The restart resumed: nothing stored before this run was sent again by the server.
            refetched = sorted(set(served) & stored_uids)
            if refetched:
                r.problems.append(f"{where}: the server sent again {len(refetched)} emails stored before this run "
                                  f"(UIDs {refetched[:5]}…): the fetch did not resume where it stopped")
            twice = [u for u in set(served) if served.count(u) > 1]
            if twice:
                r.problems.append(f"{where}: one run downloaded {len(twice)} UIDs twice, e.g. {twice[:3]}")
            # What the server sent before and now again: only the batch in flight at the last kill.
            again = sorted(set(served) & served_before)
            again_total += len(again)
            if len(again) > BATCH_UIDS:
                r.problems.append(f"{where}: {len(again)} emails downloaded again after the kill (more than the "
                                  f"one batch of {BATCH_UIDS} in flight): {again[:12]}")
            stored_now = {uid_of[m] for m in a.present}
            served_before |= set(served)
            stored_uids = stored_now
            stored = a.stored
            log("firstsync", f"{where}: {note}; server sent {len(served)} bodies in {len(ranges)} UID FETCHes "
                             f"({len(again)} sent before), {a.stored}/{n} stored, "
                             f"{'ok' if not (a.corrupt or a.problems) else 'FINDINGS'}")
        again = shop.json("mail", "fetch", check=False)
        if again.get("fetched") != 0:
            r.problems.append(f"fetching once more brought {again}")
        r.note = (f"{n} emails; the server sent {len(served_before)} distinct bodies, {again_total} of them again "
                  f"after a kill (at most {BATCH_UIDS} a kill); none stored before a kill was sent again")
        no_leftovers(ctx, r, "end")
        partial_files_cleared(r, shop, "end")
    finally:
        imap.close()
    return r


class HangingImap:
    def __init__(self, port: int, mode: str):
        self.port, self.mode, self._proc = port, mode, None

    def start(self) -> "HangingImap":
        self._proc = subprocess.Popen([sys.executable, str(HERE / "hanging_imap.py"), str(self.port), self.mode],
                                      stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        _read_ready(self._proc, 10, f"hanging IMAP server on port {self.port}", Path("/dev/null"))
        return self

    def stop(self) -> None:
        _stop_process(self._proc)
        wait_port_closed(self.port)


def fault_imap_hanging(ctx: Ctx) -> Result:
    """A server that accepts and never answers (or greets, then never answers): mail fetch must give up on
    its own with a clear message, file nothing, and once a real server is on that port, catch up."""
    r = Result("IMAP server never answers")
    modes = ["silent", "greeting"] if ctx.full else ["silent"]
    wording = {"silent": "did not greet", "greeting": "did not answer the login"}
    why = imap_unavailable_reason()  # Dovecot is needed for the catch-up
    if why:
        r.skipped = why
        return r
    from datetime import datetime, timezone
    for i, mode in enumerate(modes):
        r.rounds += 1
        where = f"round {i + 1} ({mode})"
        port = free_port()
        shop = ctx.shop(f"imap-hanging-{mode}")
        setup_mail_shop(shop, port, free_port())
        emails = generate(20, ctx.seed * 100 + 60 + i, f"ih{ctx.seed}{mode}", date=datetime.now(timezone.utc))
        expected = {e.message_id: e for e in emails}
        r.expected += len(emails)
        server = HangingImap(port, mode).start()
        try:
            began = time.monotonic()
            try:
                out = shop.run("mail", "fetch", check=False, timeout=150)
            except subprocess.TimeoutExpired:
                r.problems.append(f"{where}: mail fetch did not return within 150 s (its own limit is 60 s a step)")
                continue
            took = time.monotonic() - began
        finally:
            server.stop()
        text = (out.stdout + out.stderr).strip().replace("\n", " | ")
        if out.returncode <= 0:
            r.problems.append(f"{where}: mail fetch said {text!r} (exit {out.returncode}) against a silent server")
        else:
            r.landed += 1
        if f"127.0.0.1:{port}" not in text or wording[mode] not in text:
            r.problems.append(f"{where}: the message doesn't say clearly what went wrong: {text!r}")
        log("imap-hanging", f"{where}: returned after {took:.0f}s (exit {out.returncode}): {text}")
        r.note = (r.note + "; " if r.note else "") + f"{mode}: {re.sub(str(port), 'PORT', text)[:120]}"
        # A real server on that port: everything comes in, once.
        imap = Imap(port=port)
        try:
            imap.start()
            deliver_all(imap, emails)
            back = shop.json("mail", "fetch", check=False)
            again = shop.json("mail", "fetch", check=False)
        finally:
            imap.close()
        if back.get("fetched") != len(emails) or again.get("fetched") != 0:
            r.problems.append(f"{where}: with a real server: {back}, then {again}")
        a = audit(shop.db, expected, {}, final=True)
        r.take(a, where, final=True)
    no_leftovers(ctx, r, "end")
    return r


# --- 8. the app itself under kill -9 --------------------------------------------------------------------


class AppRun:
    """The real desktop app (SHOPDESK_APP) on one database, started directly (no WebDriver) in a process group
    of its own, so that after the app's kill -9 its WebKit helpers can be found and ended too."""

    def __init__(self, exe: Path, db: Path, env: dict[str, str], logs: Path):
        self.exe, self.db, self.env, self.logs = exe, db, env, logs
        self.proc: subprocess.Popen | None = None
        self.runs = 0
        self.stragglers = 0  # runs after which a helper process still lived 5 s after the app ended

    def start(self, offset: int, extra_env: dict[str, str] | None = None) -> None:
        self.runs += 1
        self.log = self.logs / f"app-{self.runs}.log"
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen([str(self.exe), "--db", str(self.db)], stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True,
                                         env={**self.env, "SHOPDESK_CLOCK_OFFSET_SECS": str(offset), **(extra_env or {})})

    def kill(self) -> bool:
        """SIGKILL to the app; True if it was still running. Then its helpers (same process group) go too."""
        assert self.proc is not None
        running = self.proc.poll() is None
        if running:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self._end_group()
        return running and self.proc.returncode == -signal.SIGKILL

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._end_group()

    def _end_group(self) -> None:
        """WebKit's helper processes die with their parent's socket; wait for that, then end stragglers."""
        if self.proc is None:
            return
        pgid = self.proc.pid
        end = time.monotonic() + 5
        while self._group(pgid) and time.monotonic() < end:
            time.sleep(0.05)
        if self._group(pgid):
            self.stragglers += 1
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    @staticmethod
    def _group(pgid: int) -> list[int]:
        found = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                found.append(int(proc.name))
        return found

    def output(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.logs.glob("app-*.log")))


def app_unavailable() -> str | None:
    exe = app_binary()
    if not os.access(exe, os.X_OK):
        return f"no app binary at {exe} (set SHOPDESK_APP, or build it with `npx tauri build --debug --no-bundle`)"
    if not os.environ.get("DISPLAY"):
        return "no X display (run under xvfb-run -a)"
    return None


def fault_app(ctx: Ctx) -> Result:
    """The desktop app's own mail worker (IDLE watcher, fetcher, sender), killed -9 at random moments while
    new mail arrives in Dovecot and the CLI queues replies on the same database; restarted an hour later on
    its clock (past the send lease) each time. Every email filed once, every reply and acknowledgement sent
    once (or again with the same Message-ID after a kill between the server's 250 and the database write),
    no case number reused, the database sound after every kill."""
    r = Result("kill -9 of the desktop app")
    why = app_unavailable()
    if why:
        r.skipped = why
        return r
    try:
        imap = Imap()
    except ServerUnavailable as e:
        r.skipped = str(e)
        return r
    rounds = ctx.rounds * 3 if ctx.full else max(1, ctx.rounds * 2 // 3)
    per_round, replies_per_round = 15, 4
    from datetime import datetime, timezone
    emails = generate(per_round * (rounds + 1), ctx.seed * 100 + 33, f"app{ctx.seed}", date=datetime.now(timezone.utc),
                      attachment_every=10)
    expected = {e.message_id: e for e in emails}
    shop = ctx.shop("app")
    sink = SmtpSink(shop.dir / "smtp").start()
    app = AppRun(app_binary(), shop.db, ctx.env, shop.dir)
    try:
        imap.start()
        setup_mail_shop(shop, imap.port, sink.port)
        shop.run("case", "open", "--new-name", "Ana Costa", "--new-email", "ana@example.org", "--subject", "Parcel",
                 "--channel", "email", "--text", "Where is my parcel?")
        deliver_all(imap, emails[:per_round])
        delivered = per_round
        known: dict[int, str] = {}
        windows: dict[str, int] = {}
        queued_errors: list[str] = []
        offset = 0
        for i in range(rounds):
            r.rounds += 1
            offset += 3600
            where = f"round {i + 1}"
            batch = emails[delivered:delivered + per_round]
            delivered += len(batch)
            # While the app runs: mail arrives (IDLE wakes the fetcher) and the CLI queues replies.
            def feed(batch=batch, offset=offset, i=i):
                for k, e in enumerate(batch):
                    deliver_all(imap, [e])
                    if k % 4 == 0:
                        numbers = [n for (n,) in db_rows(shop.db, "SELECT number FROM cases")]
                        n = ctx.rng.choice(numbers)
                        t0 = time.monotonic()
                        out = shop.run("case", "reply", str(n), "--text", f"app-{ctx.seed}-{i}-{k} On its way.",
                                       offset=offset, check=False, timeout=120)
                        if out.returncode != 0:
                            queued_errors.append(f"round {i + 1}: `shopdesk case reply` failed after "
                                                 f"{time.monotonic() - t0:.2f}s while the app ran (its busy timeout "
                                                 f"is 5 s): {out.stderr.strip()}")
                    time.sleep(ctx.rng.uniform(0, 0.3))
            import threading
            feeder = threading.Thread(target=feed)
            app.start(offset)
            feeder.start()
            if ctx.rng.random() < 0.3:
                delay, how = ctx.rng.uniform(0.2, 4.0), "at a random time"
            else:
                # Once the app did some work after starting: filed a given number of new emails or sent one.
                before_msgs = shop.count("SELECT count(*) FROM messages WHERE direction = 'from_customer'") or 0
                before_sent = sink_count(sink)
                target = before_msgs + ctx.rng.randint(1, per_round)
                end = time.monotonic() + 60
                while app.proc.poll() is None and time.monotonic() < end:
                    if (shop.count("SELECT count(*) FROM messages WHERE direction = 'from_customer'") or 0) >= target:
                        break
                    if sink_count(sink) > before_sent and ctx.rng.random() < 0.02:
                        break
                    time.sleep(0.01)
                delay, how = ctx.rng.uniform(0, 0.2), "after some work"
            time.sleep(delay)
            began = time.monotonic()
            landed = app.kill()
            feeder.join()
            r.problems.extend(queued_errors)
            queued_errors.clear()
            if landed:
                r.landed += 1
            else:
                r.problems.append(f"{where}: the app was not running when the kill came (exit {app.proc.returncode}): "
                                  f"{app.log.read_text(errors='replace')[-300:]}")
            sink_settled(sink)
            received, _, _ = sink_received(sink)
            states = outbox_states(shop)
            for mid, state in states.items():
                if state == "sent" and mid not in received:
                    r.lost += 1
                    r.problems.append(f"{where}: {mid} is marked sent but the server never got it")
                if state != "sent" and mid in received:
                    windows[mid] = windows.get(mid, 0) + 1
            a = audit(shop.db, expected, known, final=False)
            r.take(a, where, final=False)
            for p in ack_audit(shop.db):
                r._once(f"{where}: {p}")
            known.update(a.cases)
            log("app", f"{where}: killed {how} (+{delay:.2f}s){'' if landed else ' (not running!)'}; "
                       f"{a.stored}/{delivered} filed, {sum(1 for s in states.values() if s == 'sent')}/{len(states)} "
                       f"sent, {'ok' if not (a.corrupt or a.problems) else 'FINDINGS'}")
        # The last run: left alone until everything is filed and sent, then closed.
        where = "final run"
        offset += 3600
        app.start(offset)
        end = time.monotonic() + 180
        while time.monotonic() < end:
            stored = shop.count("SELECT count(DISTINCT message_id) FROM messages WHERE direction = 'from_customer' "
                                "AND message_id IS NOT NULL") or 0
            pending = shop.count("SELECT count(*) FROM outbox WHERE state != 'sent'")
            if stored >= delivered and pending == 0:
                break
            time.sleep(0.5)
        time.sleep(1)
        app.stop()
        r.expected = delivered
        a = audit(shop.db, {e.message_id: e for e in emails[:delivered]}, known, final=True)
        r.take(a, where, final=True)
        for p in ack_audit(shop.db):
            r._once(f"{where}: {p}")
        states = outbox_states(shop)
        received, copies, unreadable = sink_received(sink)
        for u in unreadable:
            r._once(f"{where}: CORRUPT the server got an email without a Message-ID: {u!r}", corrupt=True)
        for mid, state in states.items():
            got = received.get(mid, 0)
            if got == 0:
                r.lost += 1
                r.problems.append(f"{where}: {mid} never reached the server (outbox: {state})")
                continue
            if state != "sent":
                r.problems.append(f"{where}: {mid} reached the server but the outbox says {state}")
            extra = got - 1
            explained = min(extra, windows.get(mid, 0))
            r.resent += explained
            if extra > explained:
                r.duplicates += extra - explained
                r.problems.append(f"{where}: {mid} arrived {got} times; {windows.get(mid, 0)} kill(s) fell between "
                                  "the server's OK and the database write")
        strangers = set(received) - set(states)
        if strangers:
            r.problems.append(f"{where}: the server got emails not in the outbox: {sorted(strangers)[:3]}")
        replies = sum(1 for (k,) in db_rows(shop.db, "SELECT kind FROM outbox") if k == "reply")
        r.note = (f"{delivered} emails fetched, {len(states)} sent by the app ({replies} replies queued by the CLI "
                  f"while it ran, {len(states) - replies} acknowledgements)")
        if app.stragglers:
            r.notes.append(f"after {app.stragglers} of {app.runs} runs a helper process of the app (WebKit) was "
                           "still alive 5 s after the app ended, and was killed")
        locked = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in app.output().splitlines()
                  if "database is locked" in line]
        if locked:
            r.problems.append(f"the app's own work was refused {len(locked)} times with 'database is locked' while "
                              f"the CLI wrote beside it, e.g. {locked[0][-160:]!r}")
        panics = [line for line in app.output().splitlines() if "panicked" in line]
        if panics:
            r.problems.append(f"the app panicked: {panics[0][:300]}")
        log("app", f"{where}: {a.stored}/{delivered} filed once, {len(received)}/{len(states)} sent, "
                   f"{sum(received.values()) - len(received)} resent with the same Message-ID")
        no_leftovers(ctx, r, "end")
        partial_files_cleared(r, shop, "end")
    finally:
        app.stop()
        sink.stop()
        imap.close()
    return r


# --- 8b. the window stays usable while a big import runs ------------------------------------------------


# In the window: listen to the app's own `import-progress` events, start `import_mail` without waiting for it,
# and every 100 ms time a round trip of `app_info` (a synchronous command: it runs on the app's main thread and
# takes the store's lock, as every screen's command does), so a window blocked between interactions shows too.
START_IMPORT_JS = """
const done = arguments[arguments.length - 1];
const I = window.__TAURI_INTERNALS__;
const load = window.__load = {progress: [], result: null, error: null, probes: [], started: Date.now()};
const onProgress = I.transformCallback((ev) => load.progress.push([Date.now(), ev.payload.done, ev.payload.total]));
I.invoke('plugin:event|listen', {event: 'import-progress', target: {kind: 'Any'}, handler: onProgress}).then(() => {
  I.invoke('import_mail', {paths: arguments[0]}).then(
    (r) => { load.result = r; load.finished = Date.now(); },
    (e) => { load.error = (e && e.message) || String(e); load.finished = Date.now(); });
  const probe = () => {
    if (load.finished) return;
    const t = performance.now();
    I.invoke('app_info', {}).then(() => { load.probes.push([Date.now(), performance.now() - t]); setTimeout(probe, 100); },
                                  () => setTimeout(probe, 100));
  };
  probe();
  done(true);
}, (e) => done({error: String(e)}));
"""

VISIBLE_JS = """
const out = [];
for (const e of document.querySelectorAll(arguments[0])) {
  if (e.getClientRects().length === 0) continue;
  out.push([e.getAttribute(arguments[1]), e.textContent]);
  if (out.length >= 50) break;  // a queue of 10,000 rows: the first ones say enough, and cost little to read
}
return out;
"""

LOAD_STATE_JS = """
const l = window.__load;
const last = l.progress.length ? l.progress[l.progress.length - 1] : null;
return {done: last ? last[1] : null, total: last ? last[2] : null, events: l.progress.length,
        result: l.result, error: l.error, finished: l.finished || null, started: l.started,
        probes: l.probes.length};
"""


def later_mail(base: list[Expected], more: list[Expected], rng: random.Random) -> list[Expected]:
    """`more` turned into the later mail of `base`'s conversations: the first email of each of its threads
    answers (In-Reply-To, References) a random email of `base`, so the whole thread lands on that case and
    the number of cases stays as it was while the messages multiply."""
    onto: dict[int, Expected] = {}
    for e in more:
        first = e.thread not in onto
        if first:
            onto[e.thread] = rng.choice(base)
        parent = onto[e.thread]
        if first:
            head = f"In-Reply-To: <{parent.message_id}>\nReferences: <{parent.message_id}>\n".encode()
            e.raw = e.raw.replace(b"MIME-Version: 1.0\n", head + b"MIME-Version: 1.0\n", 1)
        e.thread = parent.thread
    return more


def fault_load(ctx: Ctx) -> Result:
    """The desktop app over a database of many open cases (about 2,000 short, 10,000 with --full, imported with
    the CLI first), driven over WebDriver like the e2e tests. From the window, `import_mail` of a big mbox
    (20,000 emails short, 100,000 with --full) starts; while it runs: open the queue, open a case from it,
    search in the Ctrl+K palette, open the contacts list, again and again. Each interaction must complete
    while the import is still running (its own `import-progress` events not at the end, the import's result
    not in) with the progress moving on between interactions; then the import must finish with every email
    stored (its report's counts) and the audit pass. Latencies are information, never a pass/fail."""
    r = Result("UI during a big import (load)")
    why = app_unavailable()
    if why:
        r.skipped = why
        return r
    from conftest import App, sel
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    base_n = 15_400 if ctx.full else 3_000  # ~0.65 threads an email: ~10,000 (~2,000) cases, all open
    # 20,000 in the short run: 10,000 took ~3 s, and one round of the four interactions (~2-2.5 s
    # while the import holds the store in turns) then fitted inside it only just, failing now and then.
    import_n = 100_000 if ctx.full else 20_000
    if ctx.load_emails:
        base_n, import_n = ctx.load_emails
    shop = ctx.shop("load")
    base = generate(base_n, ctx.seed * 100 + 91, f"ld{ctx.seed}base", attachment_every=100)
    more = later_mail(base, generate(import_n, ctx.seed * 100 + 92, f"ld{ctx.seed}imp", attachment_every=100),
                      ctx.rng)
    expected = {e.message_id: e for e in base + more}
    t = time.monotonic()
    shop.run("mail", "setup", "--from-address", "shop@example.com")
    write_mbox(shop.dir / "base.mbox", base)
    shop.run("import", str(shop.dir / "base.mbox"), timeout=3600)
    big = shop.dir / "big.mbox"
    write_mbox(big, more)
    open_cases = shop.count("SELECT count(*) FROM cases WHERE status NOT IN ('solved', 'closed') AND merged_into IS NULL")
    log("load", f"database: {open_cases} open cases from {base_n} emails (CLI import, {time.monotonic() - t:.0f}s); "
                f"the app will import {import_n} more ({big.stat().st_size // 1_000_000} MB)")
    # Search targets: emails whose number is no prefix of another's, so their start token finds exactly one.
    case_of = dict(db_rows(shop.db, "SELECT m.message_id, c.number FROM messages m JOIN cases c ON c.id = m.case_id"))
    targets = [e for e in base[base_n // 10 + 1:]]
    ctx.rng.shuffle(targets)

    (shop.dir / "app-home").mkdir()
    app = App(shop.dir / "app-home", "load")  # its own HOME and XDG folders; no keychain needed
    latencies: dict[str, list[float]] = {}
    idle: dict[str, list[float]] = {}
    idle_after: dict[str, list[float]] = {}
    cycles = 0
    seen: list[str] = []
    took = 0.0
    probes: list[float] = []
    flashes: list[str] = []

    def wait(cond, what: str, limit: float = 120) -> float:
        began = time.monotonic()
        while time.monotonic() - began < limit:
            try:
                if cond():
                    return time.monotonic() - began
            except WebDriverException:
                pass
            time.sleep(0.02)
        raise TimeoutError(f"{what}: not done within {limit:.0f}s")

    def visible(testid: str, attr: str = "data-case-number") -> list[list]:
        """[attribute, text] of each element with this data-testid that is on screen, in one round trip
        (asking WebDriver element by element would take seconds for thousands of rows)."""
        return app.driver.execute_script(VISIBLE_JS, sel(testid), attr)

    def timed(name: str, book: dict[str, list[float]], act, cond) -> None:
        began = time.monotonic()
        act()
        wait(cond, name)
        book.setdefault(name, []).append(time.monotonic() - began)

    def one_cycle(book: dict[str, list[float]], k: int) -> list[tuple[str, dict]]:
        """The four interactions; returns the import's state after each."""
        states = []
        timed("open the queue", book, lambda: app.click("nav-queue"),
              lambda: visible("queue-row") and visible("queue-counts"))
        states.append(("open the queue", app.driver.execute_script(LOAD_STATE_JS) if started else {}))
        rows = visible("queue-row")
        if not rows:
            # Shown, then gone: the rows in view turned into placeholders a moment (a refresh answering for
            # the list's old place while it scrolled to the selected row: fixed in the UI's queue state).
            flashes.append(f"round {k}")
            wait(lambda: visible("queue-row"), "the queue's rows, shown again")
            rows = visible("queue-row")
        number = rows[min(k, len(rows) - 1)][0]
        row = app.driver.find_element(By.CSS_SELECTOR, f'{sel("queue-row")}[data-case-number="{number}"]')
        timed("open a case", book, lambda: row.click(),
              lambda: [t.strip() for _, t in visible("case-number")] == [f"#{number}"] and visible("timeline-entry"))
        states.append(("open a case", app.driver.execute_script(LOAD_STATE_JS) if started else {}))
        target = targets[k % len(targets)]
        want = str(case_of[target.message_id])

        def search():
            app.driver.find_element(By.CSS_SELECTOR, "body").send_keys(Keys.CONTROL, "k")
            wait(lambda: visible("search-input"), "the search palette")
            field = app.driver.find_element(By.CSS_SELECTOR, sel("search-input"))
            field.send_keys(Keys.CONTROL + "a")
            field.send_keys(Keys.DELETE)
            field.send_keys(target.start)
        timed("search (Ctrl+K)", book, search,
              lambda: [n for n, _ in visible("search-hit")] == [want])
        app.driver.find_element(By.CSS_SELECTOR, sel("search-input")).send_keys(Keys.ESCAPE)
        wait(lambda: not visible("search-palette"), "closing the palette")
        states.append(("search (Ctrl+K)", app.driver.execute_script(LOAD_STATE_JS) if started else {}))
        timed("open the contacts", book, lambda: app.click("nav-contacts"), lambda: visible("contact-row"))
        states.append(("open the contacts", app.driver.execute_script(LOAD_STATE_JS) if started else {}))
        return states

    started = False
    try:
        app.start(["--db", str(shop.db)])
        one_cycle(idle, 0)  # the same interactions with nothing running, for comparison
        r.rounds += 1
        ok = app.driver.execute_async_script(START_IMPORT_JS, [str(big)])
        if ok is not True:
            r.problems.append(f"the import could not be started from the window: {ok}")
            return r
        started = True
        t_import = time.monotonic()
        seen: list[str] = []
        while True:
            state = app.driver.execute_script(LOAD_STATE_JS)
            if state["result"] is not None or state["error"] is not None:
                break
            cycles += 1
            r.rounds += 1
            before = state["done"] or 0
            states = one_cycle(latencies, cycles)
            log("load", f"round {cycles}: progress {' '.join(str(st.get('done')) for _, st in states)}; "
                        + ", ".join(f"{name} {xs[-1] * 1000:.0f} ms" for name, xs in latencies.items()))
            # Each interaction completed while the import was still running (no result yet, its progress short
            # of the end, or not reported yet: the import counts the mbox before its first event), and the import
            # moved on during the round.
            inside = True
            for name, st in states:
                if st["result"] is not None or st["error"] is not None or (st["done"] or 0) >= import_n:
                    inside = False
                    if cycles == 1:
                        r.problems.append(f"'{name}' of the first round of interactions completed only after the "
                                          f"import had finished (state {st}): the window waited for the import, or "
                                          "the import is too small to show anything")
                    break
            if inside:
                after = states[-1][1]["done"]
                if after is None:
                    pass  # the whole round fell before the import's first event (still counting the mbox)
                elif after <= before:
                    r.problems.append(f"round {cycles}: the import's progress did not move on during a round of "
                                      f"interactions ({before} then {after})")
                else:
                    r.landed += 1  # a whole round of interactions inside the running import
                seen.append(" ".join(str(st["done"]) for _, st in states))
            if not ctx.full and cycles >= 3:
                break
        # Let it finish.
        state = app.driver.execute_script(LOAD_STATE_JS)
        while state["result"] is None and state["error"] is None:
            if time.monotonic() - t_import > 7200:
                r.problems.append("the import did not finish within 2 hours")
                break
            time.sleep(1)
            state = app.driver.execute_script(LOAD_STATE_JS)
        took = (state["finished"] - state["started"]) / 1000 if state["finished"] else 0.0
        probes = app.driver.execute_script("return window.__load.probes.map(p => p[1]);")
        progress = app.driver.execute_script("return window.__load.progress;")
        report = state["result"]
        if state["error"]:
            r.problems.append(f"the import failed: {state['error']}")
        elif report is not None:
            if (report["stored"], report["duplicates"], report["new_cases"]) != (import_n, 0, 0):
                r.problems.append(f"the import's report {report}: expected {import_n} stored, 0 duplicates, "
                                  "0 new cases (all of it answers earlier mail)")
        dones = [d for _, d, _ in progress]
        if dones != sorted(dones) or not dones or dones[-1] != import_n:
            r.problems.append(f"import-progress events out of order or short of the end: {dones[:5]}…{dones[-3:]}")
        r.expected = base_n + import_n
        one_cycle(idle_after, cycles + 1)  # and once more with nothing running, over the bigger database
    finally:
        app.stop()
    a = audit(shop.db, expected, {}, final=True)
    r.take(a, "after the import", final=True)
    opened = shop.count("SELECT count(*) FROM cases WHERE status NOT IN ('solved', 'closed') AND merged_into IS NULL")

    def figure(xs: list[float]) -> str:
        xs = sorted(xs)
        return f"{statistics.median(xs) * 1000:.0f}/{xs[-1] * 1000:.0f}" if xs else "-"
    parts = [f"{name} {figure(idle.get(name, []))} / {figure(xs)} / {figure(idle_after.get(name, []))} ms"
             for name, xs in latencies.items()]
    probe_note = (f"app_info round trip median/max {statistics.median(probes):.0f}/{max(probes):.0f} ms over "
                  f"{len(probes)} probes" if probes else "no probes")
    messages = shop.count("SELECT count(*) FROM messages")
    r.note = (f"{open_cases}→{opened} open cases, {messages} messages; {import_n} imported in {took or 0:.0f}s; "
              f"{r.landed} rounds of 4 interactions inside it; before / during / after the import, median/max: "
              + "; ".join(parts) + f"; {probe_note} during it")
    if flashes:
        r.notes.append(f"the queue's rows went blank (placeholders) right after showing, in {len(flashes)} rounds "
                       f"({', '.join(flashes[:5])})")
    log("load", f"progress at each interaction, round by round: {' | '.join(seen)}")
    log("load", r.note)
    return r


# --- 9. the mail password stays in the keychain ---------------------------------------------------------


def secret_forms(secret: str, user: str) -> dict[str, bytes]:
    import base64
    plain = f"\0{user}\0{secret}".encode()
    return {
        "plain text": secret.encode(),
        "UTF-16": secret.encode("utf-16-le"),
        "base64": base64.b64encode(secret.encode()).rstrip(b"="),
        "AUTH PLAIN": base64.b64encode(plain).rstrip(b"="),
        "hex": secret.encode().hex().encode(),
        "HEX": secret.encode().hex().upper().encode(),
    }


def fault_secrets(ctx: Ctx) -> Result:
    """The mail password is set (CLI), mail fetched and sent by the CLI and by the app, a backup made; the
    database, its WAL and -shm (the app killed so the WAL is not folded in), the attachments and backups
    folders, the app's data and config folders, and every stderr/stdout of the CLI and the app must not
    hold the password in any of a few encodings. Logs at RUST_LOG=debug are checked too; trace is noted."""
    r = Result("mail password leaks (files, logs)")
    try:
        imap = Imap()
    except ServerUnavailable as e:
        r.skipped = str(e)
        return r
    secret = f"Pw-{ctx.seed}-Kx7Qm2Vz9"
    forms = secret_forms(secret, IMAP_USER)
    shop = ctx.shop("secrets")
    sink = SmtpSink(shop.dir / "smtp").start()
    logs: dict[str, str] = {}
    app = None
    from datetime import datetime, timezone
    try:
        imap.start()
        # This Dovecot's user gets the test's own password (passwd-file is re-read when it changes).
        (imap.dir / "users").write_text(f"{IMAP_USER}:{{PLAIN}}{secret}\n")
        imap.password = secret  # for the harness's own APPENDs
        setup_mail_shop(shop, imap.port, sink.port, password=secret)
        emails = generate(12, ctx.seed * 100 + 11, f"sec{ctx.seed}", date=datetime.now(timezone.utc), attachment_every=4)
        deliver_all(imap, emails[:6])
        def cli(name: str, *args: str, level: str | None = None, **kw) -> subprocess.CompletedProcess:
            env_before = shop.env
            if level:
                shop.env = {**shop.env, "RUST_LOG": level}
            try:
                out = shop.run(*args, check=False, **kw)
            finally:
                shop.env = env_before
            logs[f"cli {name}"] = out.stdout + out.stderr
            if out.returncode != 0:
                r.problems.append(f"shopdesk {' '.join(args)} failed: {out.stderr.strip()}")
            return out
        cli("fetch", "mail", "fetch", level="debug")
        cli("send", "mail", "send", level="debug")
        cli("reply", "case", "reply", "1001", "--text", "Thanks, it left today.")
        cli("send 2", "mail", "send")
        cli("account", "mail", "account")
        cli("account json", "--json", "mail", "account")
        cli("test", "mail", "test", level="debug")
        cli("outbox", "mail", "outbox")
        fetched = len(db_rows(shop.db, "SELECT 1 FROM messages WHERE direction = 'from_customer'"))
        sent_before = sink_count(sink)
        if fetched < 6 or sent_before < 2:
            r.problems.append(f"the CLI did not fetch and send as expected ({fetched} filed, {sent_before} sent)")
        # The app: fetches the rest, sends a reply queued for it; killed so its WAL stays as it wrote it.
        why = app_unavailable()
        if why:
            r.notes.append(f"the app was not checked: {why}")
        else:
            cli("reply 2", "case", "reply", "1002", "--text", "Sent from the app's outbox.")
            deliver_all(imap, emails[6:])
            app = AppRun(app_binary(), shop.db, ctx.env, shop.dir)
            app.start(3600, {"RUST_LOG": "debug"})
            end = time.monotonic() + 90
            while time.monotonic() < end:
                if (shop.count("SELECT count(*) FROM messages WHERE direction = 'from_customer'") or 0) >= 12 and \
                        shop.count("SELECT count(*) FROM outbox WHERE state != 'sent'") == 0:
                    break
                time.sleep(0.3)
            time.sleep(1)
            app.kill()
            if (shop.count("SELECT count(*) FROM messages WHERE direction = 'from_customer'") or 0) < 12 or \
                    sink_count(sink) <= sent_before:
                r.problems.append("the app did not fetch and send (nothing to look for in its files)")
            logs["app (RUST_LOG=debug)"] = app.output()
        wal = shop.db.with_name(shop.db.name + "-wal")
        wal_size = wal.stat().st_size if wal.exists() else 0
        # The database, its WAL and -shm as the killed app left them: the next `shopdesk` run (the backup
        # below) folds the WAL in and deletes it, so the search below looks at this copy.
        as_left = shop.dir / "as-the-app-left-it"
        as_left.mkdir()
        for side in ("", "-wal", "-shm"):
            f = shop.db.with_name(shop.db.name + side)
            if f.exists():
                shutil.copy2(f, as_left / f.name)
        cli("backup", "backup")
        # Trace-level logs: noted, not failed (nobody runs with them unless asked to).
        cli("fetch (trace)", "mail", "fetch", level="trace")
        trace_log = logs.pop("cli fetch (trace)")
        places: list[Path] = [p for p in shop.dir.rglob("*") if p.is_file() and p.parent.name != "smtp"]
        home = Path(ctx.env["HOME"])
        places += [p for p in home.rglob("*") if p.is_file() and "keyrings" not in p.parts]
        looked = 0
        for p in places:
            try:
                data = p.read_bytes()
            except OSError:
                continue
            looked += 1
            for form, needle in forms.items():
                if needle in data:
                    r._once(f"the password ({form}) is in {p}")
        for name, text in logs.items():
            for form, needle in forms.items():
                if needle.decode(errors="replace") in text:
                    r._once(f"the password ({form}) is in the output of {name}")
        trace_hits = [form for form, needle in forms.items() if needle.decode(errors="replace") in trace_log]
        if trace_hits:
            r.notes.append(f"with RUST_LOG=trace the CLI's stderr shows the password ({', '.join(trace_hits)})")
        # The control: the search finds the password where it must be, in the SMTP server's record of the
        # logins it saw (AUTH PLAIN decoded): so it was used, and a leak in the same form would be found.
        auth_log = (shop.dir / "smtp" / "auth.jsonl")
        if not (auth_log.exists() and forms["plain text"] in auth_log.read_bytes()):
            r.problems.append("control failed: the SMTP server never saw the password, so the search proves nothing")
        backups = list((shop.dir / "backups").glob("*"))
        r.rounds = 1
        r.landed = 1 if (backups and wal_size) else 0
        if not backups:
            r.problems.append("shopdesk backup made no file to look in")
        leaks = [p for p in r.problems if "the password" in p]
        if not wal_size or not (as_left / (shop.db.name + "-wal")).exists():
            r.problems.append("the app left no WAL to look in (killed too late, or the copy failed): "
                              "the search proves nothing for it")
        r.note = (f"{looked} files (db, -wal {wal_size // 1024} KiB, backups {len(backups)}, app data) and "
                  f"{len(logs)} outputs searched: {len(leaks)} leaks"
                  + ("; trace log: " + ", ".join(trace_hits) if trace_hits else "; trace log clean"))
        log("secrets", r.note)
        if app is not None:
            app.stop()
            app = None
        partial_files_cleared(r, shop, "end")  # e.g. the app's daily backup, killed half-written
    finally:
        if app is not None:
            app.stop()
        sink.stop()
        imap.close()
    return r



# --- 10. two writers on one database ------------------------------------------------------------------


def fault_two_writers(ctx: Ctx) -> Result:
    """`shopdesk import` of an mbox and `shopdesk case reply` in a loop, at the same time on one database (the
    app and the CLI, or the app's fetcher and its window, do this all day). Each write must wait its turn
    (the busy timeout is 5 s); none may fail with "database is locked", and nothing may be lost."""
    r = Result("two writers at once (import + reply)")
    n = 2000
    rounds = ctx.batches * (2 if ctx.full else 1)
    fails: list[tuple[float, str]] = []
    for batch in range(rounds):
        shop = ctx.shop(f"writers-{batch}")
        shop.run("mail", "setup", "--from-name", "Costa Ceramics", "--from-address", "shop@example.com",
                 "--smtp-host", "127.0.0.1", "--smtp-port", str(free_port()), "--smtp-security", "none")
        shop.run("case", "open", "--new-name", "Ana Costa", "--new-email", "ana@example.org", "--subject", "Parcel",
                 "--channel", "email", "--text", "Where is my parcel?")
        emails = generate(n, ctx.seed * 100 + 40 + batch, f"w{ctx.seed}b{batch}")
        expected = {e.message_id: e for e in emails}
        mbox = shop.dir / "mail.mbox"
        write_mbox(mbox, emails)
        r.rounds += 1
        r.expected += n
        proc, out_log = shop.start("import", str(mbox))
        tries = ok = 0
        while proc.poll() is None:
            t0 = time.monotonic()
            out = shop.run("case", "reply", "1001", "--text", f"w-{batch}-{tries} On its way.", check=False)
            tries += 1
            if out.returncode == 0:
                ok += 1
            else:
                fails.append((time.monotonic() - t0, out.stderr.strip()))
        proc.wait()
        text = out_log.read_text(errors="replace").strip()
        if proc.returncode != 0:
            r.landed += 1
            r.problems.append(f"batch {batch}: the import stopped while replies were queued beside it: {text[-200:]!r}")
        else:
            r.landed += 1 if tries else 0
        queued = len(db_rows(shop.db, "SELECT 1 FROM outbox WHERE kind = 'reply'"))
        if queued != ok:
            r.problems.append(f"batch {batch}: {ok} replies said queued, the outbox holds {queued}")
        # The import, once more on its own, must finish the job: nothing lost, nothing twice.
        shop.run("import", str(mbox), check=False)
        a = audit(shop.db, expected, {}, final=True)
        r.take(a, f"batch {batch}", final=True)
        log("writers", f"batch {batch}: import exit {proc.returncode}; {tries} replies tried beside it, "
                       f"{tries - ok} refused; {a.stored}/{n} stored once at the end")
    if fails:
        slowest = max(t for t, _ in fails)
        r.problems.append(f"{len(fails)} replies refused while the import ran, after at most {slowest:.2f} s "
                          f"(the busy timeout is 5 s): {fails[0][1]!r}")
    stopped = sum(1 for p in r.problems if "the import stopped" in p)
    r.note = (f"imports stopped by 'database is locked': {stopped} of {rounds}; replies beside them refused: "
              f"{len(fails)}")
    no_leftovers(ctx, r, "end")
    return r


def fault_selfcheck(ctx: Ctx) -> Result:
    r = Result("audit self-check (damage is found)")
    tried, missed = audit_bites(ctx.cli, ctx.work, ctx.env)
    r.rounds, r.landed = tried, tried - len(missed)
    r.problems.extend(missed)
    log("selfcheck", f"{r.landed} of {tried} kinds of damage found by the audit")
    return r


# --- the run ------------------------------------------------------------------------------------------


def table(results: list[Result]) -> str:
    head = ["fault", "rounds", "hit", "expected", "lost", "duplicates", "resent same ID", "corrupt", "result", "note"]
    rows = []
    for r in results:
        if r.skipped:
            rows.append([r.fault, "-", "-", "-", "-", "-", "-", "-", "skipped", r.skipped[:80]])
        else:
            rows.append([r.fault, r.rounds, r.landed, r.expected, r.lost, r.duplicates, r.resent, r.corrupt,
                         "FAIL" if r.failed else "ok", r.note])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    return "\n".join([line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


FAULTS = ["selfcheck", "import", "send", "fetch", "refused", "hanging", "dropped", "diskfull", "autoreply",
          "imapkill", "imaphang", "firstsync", "app", "load", "secrets", "writers"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="50 kills per crash fault (5 batches of 10)")
    parser.add_argument("--rounds", type=int, help="rounds per batch (default 10)")
    parser.add_argument("--batches", type=int, help="batches per crash fault (default 1, --full 5)")
    parser.add_argument("--only", help=f"comma-separated faults: {','.join(FAULTS)}")
    parser.add_argument("--seed", type=int, default=None, help="random seed (printed; reuse it to repeat a run)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory even when all passed")
    parser.add_argument("--load-emails", metavar="BASE:IMPORT",
                        help="load fault: emails in the database before (BASE) and imported by the app (IMPORT)")
    args = parser.parse_args()
    if args.seed is None:
        args.seed = random.randrange(1, 1_000_000)
    only = args.only.split(",") if args.only else FAULTS
    unknown = set(only) - set(FAULTS)
    if unknown:
        parser.error(f"unknown faults {sorted(unknown)}; choose from {FAULTS}")
    if not os.environ.get("DISPLAY") and ({"app", "load", "secrets"} & set(only)) and shutil.which("xvfb-run"):
        # The desktop app needs a display: a private Xvfb, as the e2e stage gives it.
        os.execvp("xvfb-run", ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24", sys.executable, *sys.argv])
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        # The keychain (gnome-keyring) needs a session bus; a private one keeps the desktop's out of it.
        os.execvp("dbus-run-session", ["dbus-run-session", "--", sys.executable, *sys.argv])
    cli = cli_binary()
    if not cli.exists():
        print(f"build the command line first: cargo build -p shopdesk-cli ({cli})", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="shopdesk-reliability-"))
    work.chmod(0o755)
    began = time.monotonic()
    print(f"shopdesk reliability suite: {'full' if args.full else 'short'}, seed {args.seed}, cli {cli}, work dir {work}",
          flush=True)
    keyring = keyring_session(work / "keyring-home", replace_stale=True)
    results: list[Result] = []
    try:
        ctx = Ctx(args, work, dict(keyring))
        jobs = {
            "selfcheck": lambda: fault_selfcheck(ctx),
            "import": lambda: fault_import(ctx),
            "send": lambda: fault_send(ctx),
            "fetch": lambda: fault_fetch(ctx),
            "refused": lambda: fault_network(ctx, "refused", ctx.rounds),
            "hanging": lambda: fault_network(ctx, "hanging", 2 if ctx.full else 1),
            "dropped": lambda: fault_network(ctx, "dropped", ctx.rounds * (3 if ctx.full else 1)),
            "diskfull": lambda: fault_disk_full(ctx),
            "autoreply": lambda: fault_autoreply(ctx),
            "imapkill": lambda: fault_imap_killed(ctx),
            "imaphang": lambda: fault_imap_hanging(ctx),
            "firstsync": lambda: fault_first_sync(ctx),
            "app": lambda: fault_app(ctx),
            "load": lambda: fault_load(ctx),
            "secrets": lambda: fault_secrets(ctx),
            "writers": lambda: fault_two_writers(ctx),
        }
        for name in FAULTS:
            if name not in only:
                continue
            print(f"\n== {name}", flush=True)
            t = time.monotonic()
            try:
                results.append(jobs[name]())
            except Exception as e:  # a harness failure is a failed fault, reported with the rest
                import traceback
                traceback.print_exc()
                results.append(Result(name, problems=[f"the harness itself failed: {type(e).__name__}: {e}"]))
            print(f"   ({time.monotonic() - t:.0f}s)", flush=True)
    finally:
        keyring.stop()
    print(f"\nReliability ({'full' if args.full else 'short'}, seed {args.seed}, nproc {os.cpu_count()}, "
          f"{time.monotonic() - began:.0f}s):\n")
    print(table(results))
    failed = [r for r in results if r.failed]
    for r in results:
        if r.skipped:
            print(f"\nskipped {r.fault}: {r.skipped}")
        if r.problems:
            print(f"\n{r.fault}: {len(r.problems)} findings")
            for p in r.problems[:25]:
                print(f"  - {p}")
            if len(r.problems) > 25:
                print(f"  … and {len(r.problems) - 25} more")
        for n in r.notes[:6]:
            print(f"\nnote ({r.fault}): {n}")
    print("\n'hit': rounds in which the fault really struck (the kill found shopdesk running, the server dropped "
          "the email mid-DATA, the disk ran full). 'resent same ID': an email the server had taken before the kill "
          "and the database had not yet recorded, sent again with the same Message-ID (by design; each one is "
          "matched to such a kill, an unmatched one counts as a duplicate).")
    if failed or args.keep:
        print(f"\nwork directory kept for a look: {work}  (repeat with --seed {args.seed})")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
