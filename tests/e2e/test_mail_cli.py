"""Email in and out through the `shopdesk` command line, against real servers on 127.0.0.1: an aiosmtpd
SMTP server receiving replies, a throw-away Dovecot IMAP server holding the shop's mailbox, and
gnome-keyring holding the password. The command line runs the same core code as the app's mail worker
(shopdesk_core::mail::worker); the app window's own test is in test_mail_app.py."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from conftest import cli_binary
from mailservers import IMAP_PASSWORD, IMAP_USER, HangingSmtp, make_mail

SMTP_PASSWORD = "app-password-4711"


class Shop:
    """One shop's database, driven through the CLI, with the keyring's environment."""

    def __init__(self, tmp: Path, env: dict):
        self.db = tmp / "shop" / "shopdesk.sqlite3"
        self.env = {**os.environ, **env, "SHOPDESK_DB": str(self.db)}

    def run(self, *args: str, input: str | None = None, check: bool = True, offset: int = 0,
            timeout: float = 120) -> subprocess.CompletedProcess:
        env = {**self.env, "SHOPDESK_CLOCK_OFFSET_SECS": str(offset)}
        proc = subprocess.run([str(cli_binary()), *args], input=input, env=env, capture_output=True,
                              text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"shopdesk {' '.join(args)} failed ({proc.returncode}): {proc.stderr}{proc.stdout}")
        return proc

    def json(self, *args: str, **kw) -> dict | list:
        return json.loads(self.run("--json", *args, **kw).stdout)

    def setup_account(self, smtp_port: int, imap_port: int | None = None, ack: bool = False) -> None:
        args = ["mail", "setup", "--from-name", "Costa Ceramics", "--from-address", "shop@example.com",
                "--smtp-host", "127.0.0.1", "--smtp-port", str(smtp_port), "--smtp-security", "none",
                "--signature", "Costa Ceramics", "--acknowledge", "true" if ack else "false"]
        if imap_port:
            args += ["--username", IMAP_USER, "--imap-host", "127.0.0.1", "--imap-port", str(imap_port),
                     "--imap-security", "none"]
        self.run(*args)

    def save_password(self, password: str) -> None:
        self.run("mail", "password", input=password + "\n")

    def import_mail(self, tmp: Path, raw: bytes, name: str = "in.eml") -> None:
        path = tmp / name
        path.write_bytes(raw)
        self.run("import", str(path))

    def messages(self) -> list[dict]:
        with sqlite3.connect(self.db) as conn:
            rows = conn.execute("SELECT message_id, direction, body FROM messages ORDER BY recorded_at").fetchall()
        return [{"message_id": r[0], "direction": r[1], "body": r[2]} for r in rows]


@pytest.fixture
def shop(tmp_path, keyring_env) -> Shop:
    assert cli_binary().exists(), f"build the command line first: cargo build -p shopdesk-cli ({cli_binary()})"
    return Shop(tmp_path, {})


def parsed(raw: bytes):
    return message_from_bytes(raw, policy=policy.default)


def test_a_reply_goes_out_once_threaded_with_the_keychain_password(shop, tmp_path, smtp_sink, keyring_env):
    shop.setup_account(smtp_sink.port)
    shop.save_password(SMTP_PASSWORD)
    assert keyring_env.lookup("shopdesk", "shop@example.com@127.0.0.1") == SMTP_PASSWORD
    shop.import_mail(tmp_path, make_mail("Where is my parcel?", "Order 4817, please.", sender="Ana Costa <ana@example.org>",
                                         message_id="<ana-1@example.org>"))
    shop.run("case", "reply", "1001", "--text", "It left our workshop today.")
    assert [e["delivery"]["state"] for e in shop.json("mail", "outbox")] == ["queued"]

    out = shop.run("mail", "send").stdout
    assert "Sent 1 emails" in out, out
    (raw, envelope), = smtp_sink.wait_for(1)
    mail = parsed(raw)
    assert mail["Subject"] == "Re: Where is my parcel? [#1001]"
    assert mail["In-Reply-To"] == "<ana-1@example.org>"
    assert "<ana-1@example.org>" in mail["References"]
    assert mail["To"] == "Ana Costa <ana@example.org>"
    assert mail["From"] == "Costa Ceramics <shop@example.com>"
    assert mail["Message-ID"].endswith("@example.com>")
    assert mail.get_content().replace("\r\n", "\n").startswith("It left our workshop today.\n\n-- \nCosta Ceramics")
    assert envelope["rcpt_tos"] == ["ana@example.org"]
    assert (envelope["login"], envelope["password"]) == ("shop@example.com", SMTP_PASSWORD)

    # Sent once: another pass sends nothing; the case knows it went.
    assert "Sent 0 emails" in shop.run("mail", "send").stdout
    time.sleep(0.3)
    assert len(smtp_sink.messages()) == 1
    view = shop.json("case", "show", "1001")
    assert view["case"]["waiting_since"] is None, "the customer has their answer"
    states = [e["delivery"]["state"] for e in view["timeline"] if e["type"] == "message" and e["delivery"]]
    assert states == ["sent"]

    # The password is in the keychain only, never in the database files.
    for f in shop.db.parent.glob("shopdesk.sqlite3*"):
        assert SMTP_PASSWORD.encode() not in f.read_bytes(), f


def test_a_dead_server_queues_replies_and_they_go_out_once_it_is_back(shop, smtp_sink):
    shop.setup_account(smtp_sink.port)
    shop.run("case", "open", "--new-name", "Ana", "--new-email", "ana@example.org", "--subject", "Parcel",
             "--channel", "email", "--text", "Where is it?")
    smtp_sink.stop()
    shop.run("case", "reply", "1001", "--text", "On its way.")
    out = shop.run("mail", "send").stdout
    assert "Sent 0 emails" in out and "Could not reach the mail server 127.0.0.1" in out, out
    (entry,) = shop.json("mail", "outbox")
    assert entry["delivery"]["state"] == "queued" and entry["delivery"]["attempts"] == 1
    assert "Could not reach" in entry["delivery"]["last_error"]
    assert "Check the server name and port in Settings" in entry["delivery"]["last_error"], "what to do about it"

    smtp_sink.start()
    # Before the backoff is over nothing is tried; a little later (the clock moved) it goes, once.
    assert "Sent 0 emails" in shop.run("mail", "send").stdout
    assert "Sent 1 emails" in shop.run("mail", "send", offset=120).stdout
    assert "Sent 0 emails" in shop.run("mail", "send", offset=3600).stdout
    smtp_sink.wait_for(1)
    time.sleep(0.3)
    assert len(smtp_sink.messages()) == 1
    assert shop.json("mail", "outbox")[0]["delivery"]["state"] == "sent"


def test_a_server_that_never_answers_does_not_hang_the_outbox(shop):
    """The SMTP server accepts the connection and never greets: lettre's own timeout covers only the
    connect, so without Shopdesk's timeout this would hang forever."""
    with HangingSmtp() as hanging:
        shop.setup_account(hanging.port)
        shop.run("case", "open", "--new-name", "Ana", "--new-email", "ana@example.org", "--subject", "Parcel",
                 "--channel", "email", "--text", "Where is it?")
        shop.run("case", "reply", "1001", "--text", "On its way.")
        out = shop.run("mail", "send", timeout=150).stdout
    assert "did not answer within 60 seconds" in out or "timed out" in out.lower(), out
    (entry,) = shop.json("mail", "outbox")
    assert entry["delivery"]["state"] == "queued", "it will be tried again"


def test_a_refused_login_is_held_for_the_owner_who_can_retry(shop, tmp_path, keyring_env):
    from mailservers import SmtpSink

    sink = SmtpSink(tmp_path / "refusing", reject_auth=True).start()
    try:
        shop.setup_account(sink.port)
        shop.save_password("wrong-password")
        shop.run("case", "open", "--new-name", "Ana", "--new-email", "ana@example.org", "--subject", "Parcel",
                 "--channel", "email", "--text", "Where is it?")
        shop.run("case", "reply", "1001", "--text", "On its way.")
        out = shop.run("mail", "send").stdout
        assert "refused the login" in out, out
        (entry,) = shop.json("mail", "outbox")
        assert entry["delivery"]["state"] == "held"
        assert "Sent 0 emails" in shop.run("mail", "send", offset=7200).stdout, "held: not retried by itself"
    finally:
        sink.stop()
    shop.run("mail", "retry", entry["message_id"])
    assert shop.json("mail", "outbox")[0]["delivery"]["state"] == "queued"


def test_new_mail_is_fetched_once_acknowledged_and_threaded(shop, smtp_sink, imap_server, keyring_env):
    shop.setup_account(smtp_sink.port, imap_server.port, ack=True)
    shop.save_password(IMAP_PASSWORD)
    imap_server.deliver(make_mail("Broken teapot", "It arrived in pieces.", sender="Chloé Martin <chloe@example.fr>",
                                  message_id="<chloe-1@example.fr>"))
    imap_server.deliver(make_mail("Weekly deals", "50% off", sender="news@example.net",
                                  message_id="<news-1@example.net>").replace(b"MIME-Version", b"List-Id: <deals.example.net>\r\nMIME-Version"))
    report = shop.json("mail", "fetch")
    assert (report["fetched"], report["new_cases"], report["acknowledged"]) == (2, 2, 1), report
    assert "Sent 1 emails" in shop.run("mail", "send").stdout
    (raw, envelope), = smtp_sink.wait_for(1)
    ack = parsed(raw)
    assert envelope["rcpt_tos"] == ["chloe@example.fr"], "no acknowledgement to the newsletter"
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["Subject"] == "Re: Broken teapot [#1001]"
    assert ack["In-Reply-To"] == "<chloe-1@example.fr>"
    assert "case #1001" in ack.get_content() and "within 2 hours" in ack.get_content()

    # Fetching again brings nothing twice; the customer's answer to the acknowledgement joins the case.
    assert shop.json("mail", "fetch")["fetched"] == 0
    imap_server.deliver(make_mail("Re: Broken teapot [#1001]", "Photos attached.", sender="chloe@example.fr",
                                  message_id="<chloe-2@example.fr>").replace(
        b"MIME-Version", f"In-Reply-To: {ack['Message-ID']}\r\nMIME-Version".encode()))
    report = shop.json("mail", "fetch")
    assert (report["fetched"], report["added_to_cases"], report["new_cases"]) == (1, 1, 0), report
    # It stays unread in the shop's other mail programs (fetched with BODY.PEEK).
    assert all("\\Seen" not in flags for _, _, flags in imap_server.fetch_all())


def test_a_first_fetch_of_a_mailbox_shows_its_progress_on_a_terminal(shop, imap_server, keyring_env):
    """The first look at a mailbox reads all of it: on a terminal it draws how far it is (a later
    fetch, a few new emails, does not)."""
    shop.setup_account(1, imap_server.port)
    shop.save_password(IMAP_PASSWORD)
    for i in range(35):
        imap_server.deliver(make_mail(f"Question {i}", f"Body {i}", sender=f"c{i}@example.org", message_id=f"<first{i}@example.org>"))
    # `script` (util-linux) runs the command on a pseudo-terminal and copies what it drew.
    command = " ".join(f"'{a}'" for a in [str(cli_binary()), "mail", "fetch"])
    env = {**shop.env, "SHOPDESK_CLOCK_OFFSET_SECS": "0"}
    screen = subprocess.run(["script", "-qec", command, "/dev/null"], env=env, capture_output=True, text=True, timeout=120)
    assert screen.returncode == 0, screen.stdout + screen.stderr
    for drawn in ["Fetching", "10/35 emails", "35/35 emails"]:
        assert drawn in screen.stdout, f"{drawn!r} not drawn: {screen.stdout!r}"
    assert "Fetched 35 emails" in screen.stdout
    # In a pipe: only the summary.
    imap_server.deliver(make_mail("One more", "Hello", sender="late@example.org", message_id="<late@example.org>"))
    piped = shop.run("mail", "fetch")
    assert piped.stderr == "" and piped.stdout.startswith("Fetched 1 emails"), piped


def test_every_mail_is_filed_exactly_once_across_a_crash_and_a_uidvalidity_change(shop, imap_server, keyring_env, tmp_path):
    shop.run("mail", "setup", "--from-address", "shop@example.com", "--username", IMAP_USER, "--imap-host", "127.0.0.1",
             "--imap-port", str(imap_server.port), "--imap-security", "none", "--acknowledge", "false")
    shop.save_password(IMAP_PASSWORD)
    total = 150
    for i in range(total):
        imap_server.deliver(make_mail(f"Question {i}", f"Body {i}", sender=f"c{i % 40}@example.org",
                                      message_id=f"<q{i}@example.org>"))
    # Killed mid-fetch (as a crash would), then fetched again: every mail once, none missing.
    env = {**shop.env, "SHOPDESK_CLOCK_OFFSET_SECS": "0"}
    proc = subprocess.Popen([str(cli_binary()), "mail", "fetch"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with sqlite3.connect(shop.db, timeout=1) as conn:
                if conn.execute("SELECT count(*) FROM messages").fetchone()[0] >= 20:
                    break
        except sqlite3.Error:
            pass
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    filed_before = len(shop.messages())
    assert 0 < filed_before < total, f"the crash should come mid-way, {filed_before} of {total} were filed"
    report = shop.json("mail", "fetch")
    assert report["fetched"] >= total - filed_before
    ids = [m["message_id"] for m in shop.messages()]
    assert sorted(ids) == sorted(f"q{i}@example.org" for i in range(total))

    # The server renumbers the mailbox: everything is read again and nothing doubles.
    imap_server.set_uidvalidity(12345)
    report = shop.json("mail", "fetch")
    assert (report["fetched"], report["duplicates"]) == (total, total), report
    assert len(shop.messages()) == total


def test_a_wrong_imap_password_says_so(shop, imap_server, keyring_env):
    shop.run("mail", "setup", "--from-address", "shop@example.com", "--username", IMAP_USER, "--imap-host", "127.0.0.1",
             "--imap-port", str(imap_server.port), "--imap-security", "none")
    shop.save_password("not-the-password")
    proc = shop.run("mail", "fetch", check=False)
    assert proc.returncode == 1
    assert "refused the login" in proc.stderr, proc.stderr
    status = shop.json("mail", "account")
    assert status["imap_host"] == "127.0.0.1"


def test_a_remote_server_without_tls_is_refused(shop):
    proc = shop.run("mail", "setup", "--from-address", "shop@example.com", "--smtp-host", "smtp.example.com",
                    "--smtp-security", "none", check=False)
    assert proc.returncode == 1
    assert "needs TLS or STARTTLS" in proc.stderr, proc.stderr
