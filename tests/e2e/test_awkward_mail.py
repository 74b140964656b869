"""Awkward mail through `shopdesk import`: broken MIME, raw 8-bit headers, odd charsets, deep nesting,
a 50 MB attachment, hostile HTML, junk files, truncated and empty files, odd dates, mbox quoting and
attachment names that try to leave the attachments folder. Every email is generated here (nothing is
committed but this file), imported through the command line, then checked: nothing lost (the database
holds one message per email given), stored sensibly, and a clear "[Shopdesk: ...]" warning where
something could not be understood.

The parser is mail-parser 0.11 (core/src/mail/mod.rs); what is expected below follows its code, not
guesses. None of these tests need X, D-Bus or the keyring."""

from __future__ import annotations

import base64
import hashlib
import os
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import cli_binary
from test_mail_cli import Shop

WARNING = "[Shopdesk:"


class Desk(Shop):
    """A shop on its own database, for importing; no mail account, no keyring."""

    def __init__(self, tmp: Path):
        super().__init__(tmp, {})
        self.db.parent.mkdir(parents=True, exist_ok=True)
        self.files = tmp / "mail"
        self.files.mkdir()

    @property
    def attachments_dir(self) -> Path:
        return self.db.parent / "attachments"

    def write(self, name: str, raw: bytes) -> Path:
        path = self.files / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
        return path

    def import_(self, *paths: Path, timeout: float = 120) -> dict:
        return self.json("import", *map(str, paths), timeout=timeout)

    def count(self) -> int:
        with sqlite3.connect(self.db) as conn:
            return conn.execute("SELECT count(*) FROM messages").fetchone()[0]

    def rows(self) -> list[dict]:
        """Every stored message: its key (Message-ID or sha256:…), case number, body and HTML, in the
        order they were stored."""
        with sqlite3.connect(self.db) as conn:
            rows = conn.execute(
                "SELECT m.message_id, c.number, m.body, m.html, c.subject, m.author FROM messages m "
                "JOIN cases c ON c.id = m.case_id ORDER BY m.recorded_at, m.rowid").fetchall()
        return [dict(zip(("key", "case", "body", "html", "subject", "author"), r)) for r in rows]

    def row(self, key: str) -> dict:
        (found,) = [r for r in self.rows() if r["key"] == key]
        return found

    def show(self, number: int) -> dict:
        return self.json("case", "show", str(number))

    def entry(self, key: str) -> dict:
        """The timeline entry (as `case show --json` gives it) of the message stored under `key`."""
        row = self.row(key)
        view = self.show(row["case"])
        messages = [e for e in view["timeline"] if e["type"] == "message"]
        (found,) = [e for e in messages if e["body"] == row["body"]]
        return {**found, "case": view["case"], "contact": view["contact"]}


@pytest.fixture
def desk(tmp_path) -> Desk:
    assert cli_binary().exists(), f"build the command line first: cargo build -p shopdesk-cli ({cli_binary()})"
    return Desk(tmp_path)


def mail(*headers: str | bytes, body: str | bytes = "", eol: bytes = b"\r\n") -> bytes:
    """An email from header lines (str is UTF-8; bytes go in as they are) and a body."""
    head = eol.join(h if isinstance(h, bytes) else h.encode() for h in headers)
    if isinstance(body, str):
        body = body.encode()
    body = body.replace(b"\r\n", b"\n").replace(b"\n", eol)
    return head + eol + eol + body


DATE = "Date: Tue, 24 Nov 2026 18:55:00 +0100"


def b64_lines(data: bytes) -> str:
    return base64.encodebytes(data).decode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_key(data: bytes) -> str:
    """The key of an email without a Message-ID: the SHA-256 of its bytes without trailing whitespace
    (so the same email from an .eml and from an mbox, which keeps a blank separator line, is one)."""
    return "sha256:" + sha256(data.rstrip(b" \t\n\x0c\r"))


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def assert_warns(body: str, *words: str) -> None:
    assert WARNING in body, f"no warning on the message: {body!r}"
    warning = body[body.index(WARNING):]
    for w in words:
        assert w in warning, f"{w!r} not in the warning {warning!r}"


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- Broken MIME -------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"


def unclosed_multipart() -> bytes:
    return mail(
        "From: Ana Costa <ana@example.org>", "To: shop@example.com", "Subject: Invoice attached", DATE,
        "Message-ID: <no-close@example.org>", "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="b1"',
        body="This is a multi-part message.\n"
             "--b1\nContent-Type: text/plain; charset=utf-8\n\nHere is the invoice for order 4817.\n"
             "--b1\nContent-Type: application/pdf; name=\"invoice.pdf\"\n"
             "Content-Disposition: attachment; filename=\"invoice.pdf\"\nContent-Transfer-Encoding: base64\n\n"
             + b64_lines(PDF))  # ...and the mail simply ends: no "--b1--".


def test_a_multipart_without_its_closing_boundary_keeps_its_text_and_lists_its_attachment(desk):
    report = desk.import_(desk.write("no-close.eml", unclosed_multipart()))
    assert report["stored"] == 1 and desk.count() == 1
    e = desk.entry("no-close@example.org")
    assert e["body"].startswith("Here is the invoice for order 4817."), e["body"]
    assert [(a["filename"], a["content_type"]) for a in e["attachments"]] == [("invoice.pdf", "application/pdf")]
    (a,) = e["attachments"]
    assert (desk.attachments_dir / a["hash"]).stat().st_size == a["size"]


def test_a_multipart_without_its_closing_boundary_keeps_the_attachment_decoded(desk):
    desk.import_(desk.write("no-close.eml", unclosed_multipart()))
    (a,) = desk.entry("no-close@example.org")["attachments"]
    assert (a["size"], a["hash"]) == (len(PDF), sha256(PDF)), (
        f"stored {a['size']} bytes: {(desk.attachments_dir / a['hash']).read_bytes()[:40]!r}...")


def boundary_never_there() -> bytes:
    return mail(
        "From: Ana Costa <ana@example.org>", "Subject: Where is my parcel?", DATE,
        "Message-ID: <no-boundary@example.org>", "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="never-there"',
        body="Hello,\nmy parcel for order 4817 has not arrived.\nAna\n")


def test_a_multipart_whose_boundary_never_appears_loses_nothing(desk):
    desk.import_(desk.write("no-boundary.eml", boundary_never_there()))
    assert desk.count() == 1
    e = desk.entry("no-boundary@example.org")
    kept = e["body"] + "".join((desk.attachments_dir / a["hash"]).read_text(errors="replace") for a in e["attachments"])
    assert "my parcel for order 4817 has not arrived." in kept, e


def test_a_multipart_whose_boundary_never_appears_shows_its_text(desk):
    desk.import_(desk.write("no-boundary.eml", boundary_never_there()))
    body = desk.row("no-boundary@example.org")["body"]
    assert "my parcel for order 4817 has not arrived." in body or WARNING in body, body


# --- Raw 8-bit headers -------------------------------------------------------------------------------

def test_raw_utf8_in_subject_and_sender_name_is_read_as_utf8(desk):
    raw = mail("From: Chloé Martin <chloe@example.fr>", "To: shop@example.com",
               "Subject: Théière cassée – 割れた急須", DATE, "Message-ID: <raw-utf8@example.fr>",
               body="La théière est arrivée en trois morceaux.\n")
    desk.import_(desk.write("raw-utf8.eml", raw))
    assert desk.count() == 1
    e = desk.entry("raw-utf8@example.fr")
    assert e["case"]["subject"] == "Théière cassée – 割れた急須"
    assert e["author"] == "Chloé Martin" and e["contact"]["name"] == "Chloé Martin"
    assert e["contact"]["emails"] == ["chloe@example.fr"]
    assert e["body"] == "La théière est arrivée en trois morceaux."


def raw_latin1() -> bytes:
    return mail("From: Jos\xe9 P\xe9rez <jose@example.es>".encode("latin-1"), "To: shop@example.com",
                "Subject: Th\xe9i\xe8re cass\xe9e, commande 4817".encode("latin-1"), DATE,
                "Message-ID: <raw-latin1@example.es>", "Content-Type: text/plain; charset=iso-8859-1",
                body="La th\xe9i\xe8re est cass\xe9e.\n".encode("latin-1"))


def test_raw_latin1_in_headers_keeps_the_email_and_its_ascii(desk):
    desk.import_(desk.write("raw-latin1.eml", raw_latin1()))
    assert desk.count() == 1
    e = desk.entry("raw-latin1@example.es")
    assert e["body"] == "La théière est cassée.", "the body's declared charset is honoured"
    assert "commande 4817" in e["case"]["subject"]
    assert e["contact"]["emails"] == ["jose@example.es"]
    assert e["author"].startswith("Jos") and e["author"].endswith("rez")


def test_raw_latin1_in_headers_is_read_as_latin1_or_warned_about(desk):
    desk.import_(desk.write("raw-latin1.eml", raw_latin1()))
    e = desk.entry("raw-latin1@example.es")
    decoded = e["case"]["subject"] == "Théière cassée, commande 4817" and e["author"] == "José Pérez"
    assert decoded or WARNING in e["body"], (e["case"]["subject"], e["author"], e["body"])


# --- Encoded words -----------------------------------------------------------------------------------

def encoded_word(text: str, charset: str, codec: str | None = None, q: bool = False) -> str:
    data = text.encode(codec or charset)
    if q:
        enc = "".join(chr(b) if b < 128 and chr(b).isalnum() else "_" if b == 0x20 else f"={b:02X}" for b in data)
        return f"=?{charset}?Q?{enc}?="
    return f"=?{charset}?B?{base64.b64encode(data).decode()}?="


CHARSETS = [
    pytest.param("ISO-8859-1", "latin-1", True, "Théière cassée", "José Pérez", id="iso-8859-1-Q"),
    pytest.param("UTF-8", "utf-8", False, "Zerbrochene Teekanne – 割れた急須 🫖", "Zoë Ångström", id="utf-8-B"),
    pytest.param("KOI8-R", "koi8-r", False, "Разбитый чайник", "Анна Петрова", id="koi8-r-B"),
    pytest.param("windows-1252", "cp1252", True, "“Cassée” – 20 €", "Chloé Martin", id="windows-1252-Q"),
    pytest.param("Shift_JIS", "shift_jis", False, "割れた急須", "山田太郎", id="shift_jis-B"),
    pytest.param("ISO-2022-JP", "iso-2022-jp", False, "割れた急須", "山田太郎", id="iso-2022-jp-B"),
]


@pytest.mark.parametrize("charset, codec, q, subject, name", CHARSETS)
def test_encoded_words_in_subject_and_sender_are_decoded(desk, charset, codec, q, subject, name):
    raw = mail(f"From: {encoded_word(name, charset, codec, q)} <sender@example.net>",
               f"Subject: {encoded_word(subject, charset, codec, q)}", DATE,
               f"Message-ID: <ew-{codec}@example.net>", f"Content-Type: text/plain; charset={charset}",
               body=f"{subject}\n".encode(codec))
    desk.import_(desk.write("encoded.eml", raw))
    assert desk.count() == 1
    e = desk.entry(f"ew-{codec}@example.net")
    assert (e["case"]["subject"], e["author"], e["contact"]["name"]) == (subject, name, name)
    assert e["body"] == subject, "the body in the same charset"


def test_adjacent_encoded_words_in_two_charsets_join_without_the_space_between(desk):
    subject = " ".join([encoded_word("Théière ", "ISO-8859-1", "latin-1", q=True),
                        encoded_word("cassée, ", "UTF-8"), encoded_word("чайник", "KOI8-R")])
    raw = mail("From: ana@example.org", f"Subject: {subject} #4817", DATE, "Message-ID: <ew-mixed@example.org>",
               body="See subject.\n")
    desk.import_(desk.write("mixed.eml", raw))
    assert desk.count() == 1
    assert desk.row("ew-mixed@example.org")["subject"] == "Théière cassée, чайник #4817"


# --- Nested multipart --------------------------------------------------------------------------------

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cf"
                    "c0f01f0005000201c9b8a3e30000000049454e44ae426082")


def test_nested_mixed_alternative_related_finds_the_text_flags_html_and_lists_every_file(desk):
    raw = mail(
        "From: Ana Costa <ana@example.org>", "Subject: Photos of the damage", DATE,
        "Message-ID: <nested@example.org>", "MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="mix"',
        body=f"""--mix
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

The teapot arrived broken, see the logo of the courier below.=0A=
Order 4817.

--alt
Content-Type: multipart/related; boundary="rel"; type="text/html"

--rel
Content-Type: text/html; charset=utf-8

<html><body><p>The teapot arrived <b>broken</b>, see the logo of the courier below.</p>
<img src="cid:logo@example.org" alt="courier"><p>Order 4817.</p></body></html>
--rel
Content-Type: image/png; name="logo.png"
Content-Transfer-Encoding: base64
Content-ID: <logo@example.org>
Content-Disposition: inline; filename="logo.png"

{b64_lines(PNG)}--rel--

--alt--

--mix
Content-Type: application/pdf; name="order-4817.pdf"
Content-Disposition: attachment; filename="order-4817.pdf"
Content-Transfer-Encoding: base64

{b64_lines(PDF)}--mix--
""")
    desk.import_(desk.write("nested.eml", raw))
    assert desk.count() == 1
    e = desk.entry("nested@example.org")
    assert e["body"] == "The teapot arrived broken, see the logo of the courier below.\nOrder 4817.", e["body"]
    assert e["has_html"] is True
    assert "<b>broken</b>" in desk.row("nested@example.org")["html"]
    got = sorted((a["filename"], a["content_type"], a["size"], a["hash"]) for a in e["attachments"])
    assert got == sorted([("logo.png", "image/png", len(PNG), sha256(PNG)),
                          ("order-4817.pdf", "application/pdf", len(PDF), sha256(PDF))])
    assert files_in(desk.attachments_dir) == sorted([sha256(PNG), sha256(PDF)])
    assert WARNING not in e["body"]


def test_text_after_an_inline_image_is_kept(desk):
    raw = mail(
        "From: Ana Costa <ana@example.org>", "Subject: The box", DATE, "Message-ID: <apple@example.org>",
        "MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="m"',
        body=f"""--m
Content-Type: text/plain; charset=utf-8

Here is the box as it arrived:
--m
Content-Type: image/png; name="box.png"
Content-Disposition: inline; filename="box.png"
Content-Transfer-Encoding: base64

{b64_lines(PNG)}
--m
Content-Type: text/plain; charset=utf-8

And this is the teapot inside it. Please refund order 4817.
--m--
""")
    desk.import_(desk.write("apple.eml", raw))
    assert desk.count() == 1
    e = desk.entry("apple@example.org")
    assert [a["filename"] for a in e["attachments"]] == ["box.png"]
    assert "Here is the box as it arrived:" in e["body"]
    assert "Please refund order 4817." in e["body"], e["body"]


# --- A 50 MB attachment ------------------------------------------------------------------------------

def test_a_50_mb_attachment_is_kept_whole_with_a_warning(desk):
    size = 50 * 1024 * 1024
    digest = hashlib.sha256()
    path = desk.files / "big.eml"
    with path.open("wb") as f:
        f.write(mail("From: Ana Costa <ana@example.org>", "Subject: All my photos", DATE,
                     "Message-ID: <big@example.org>", "MIME-Version: 1.0",
                     'Content-Type: multipart/mixed; boundary="big"',
                     body='--big\nContent-Type: text/plain; charset=utf-8\n\nAll the photos of the damage.\n'
                          '--big\nContent-Type: application/zip; name="photos.zip"\n'
                          'Content-Disposition: attachment; filename="photos.zip"\n'
                          'Content-Transfer-Encoding: base64\n\n'))
        left = size
        chunk = 57 * 16384  # whole 76-character lines
        while left:
            data = os.urandom(min(chunk, left))
            digest.update(data)
            f.write(base64.encodebytes(data).replace(b"\n", b"\r\n"))
            left -= len(data)
        f.write(b"--big--\r\n")
    print(f"\n50 MB attachment: {path.stat().st_size / 1e6:.1f} MB of email")
    started = time.monotonic()
    report = desk.import_(path, timeout=900)
    print(f"imported in {time.monotonic() - started:.1f} s: {report}")
    assert report["stored"] == 1 and report["with_warnings"] == 1 and desk.count() == 1
    e = desk.entry("big@example.org")
    (a,) = e["attachments"]
    assert (a["filename"], a["content_type"], a["size"], a["hash"]) == ("photos.zip", "application/zip", size, digest.hexdigest())
    stored = desk.attachments_dir / a["hash"]
    assert stored.stat().st_size == size
    check = hashlib.sha256()
    with stored.open("rb") as f:
        while block := f.read(1 << 20):
            check.update(block)
    assert check.hexdigest() == digest.hexdigest()
    assert files_in(desk.attachments_dir) == [digest.hexdigest()], "no half-written .part file left"
    assert e["body"].startswith("All the photos of the damage.")
    assert_warns(e["body"], "large attachment", "photos.zip", "50.0 MB", "kept")


# --- Hostile HTML ------------------------------------------------------------------------------------

HOSTILE = """<html><head><title>Order</title><script>var leaked = 'HEAD-SCRIPT';</script>
<style>body { background: url(https://tracker.example/css) }</style></head>
<body onload="steal('ONLOAD')"><p>Hello <b>shop</b>,</p>
<script>document.write('BODY-SCRIPT')</script>
<p>my order 4817 has not arrived.</p>
<img src="https://tracker.example/pixel.gif?u=ana" alt="" onerror="steal('ONERROR')">
<p><a href="javascript:steal('JSLINK')">track my parcel</a></p>
<iframe src="https://evil.example/frame"></iframe>
</body></html>
"""


def test_html_only_mail_with_scripts_has_a_clean_text_body_and_is_flagged_html(desk):
    raw = mail("From: Ana Costa <ana@example.org>", "Subject: Order", DATE, "Message-ID: <hostile@example.org>",
               "MIME-Version: 1.0", "Content-Type: text/html; charset=utf-8", body=HOSTILE)
    desk.import_(desk.write("hostile.eml", raw))
    assert desk.count() == 1
    e = desk.entry("hostile@example.org")
    assert e["has_html"] is True
    text = e["body"]
    for wanted in ("Hello shop,", "my order 4817 has not arrived.", "track my parcel"):
        assert wanted in text, (wanted, text)
    for bad in ("HEAD-SCRIPT", "BODY-SCRIPT", "document.write", "ONLOAD", "ONERROR", "JSLINK", "javascript:",
                "tracker.example", "evil.example", "<script", "<", "Order\n"):
        assert bad not in text, (bad, text)
    assert "<script>document.write('BODY-SCRIPT')</script>" in desk.row("hostile@example.org")["html"], (
        "the HTML is kept as it came; the app sanitises it when showing it")


def test_scripts_and_styles_with_attributes_stay_out_of_the_text_body(desk):
    html = ("<html><body><p>Hello shop,</p><style type=\"text/css\">p { color: red } /* CSS-LEAK */</style>"
            "<script type=\"text/javascript\">stealCookies('SCRIPT-LEAK')</script><p>my order 4817?</p></body></html>")
    raw = mail("From: ana@example.org", "Subject: Order", DATE, "Message-ID: <typed-script@example.org>",
               "Content-Type: text/html; charset=utf-8", body=html)
    desk.import_(desk.write("typed.eml", raw))
    assert desk.count() == 1
    text = desk.row("typed-script@example.org")["body"]
    assert "Hello shop," in text and "my order 4817?" in text
    assert "SCRIPT-LEAK" not in text and "stealCookies" not in text and "CSS-LEAK" not in text, text


# --- No Message-ID -----------------------------------------------------------------------------------

NO_ID = mail("From: Ana Costa <ana@example.org>", "Subject: No id here", DATE,
             body="Sent from a program that adds no Message-ID.\n", eol=b"\n")


def test_an_email_without_message_id_imported_twice_is_stored_once_by_its_content(desk):
    first = desk.import_(desk.write("no-id.eml", NO_ID))
    again = desk.import_(desk.files / "no-id.eml")
    copy = desk.import_(desk.write("copy/no-id-copy.eml", NO_ID), desk.files / "no-id.eml")
    assert (first["stored"], again["stored"], again["duplicates"], copy["stored"], copy["duplicates"]) == (1, 0, 1, 0, 2)
    assert desk.count() == 1
    (row,) = desk.rows()
    assert row["key"] == content_key(NO_ID)
    assert row["body"] == "Sent from a program that adds no Message-ID."

    # A different email without a Message-ID is a different email.
    desk.import_(desk.write("other.eml", NO_ID.replace(b"adds no", b"still adds no")))
    assert desk.count() == 2


def test_an_email_without_message_id_from_an_eml_and_from_an_mbox_is_stored_once(desk):
    desk.import_(desk.write("no-id.eml", NO_ID))
    mbox = b"From ana@example.org Tue Nov 24 17:55:00 2026\n" + NO_ID + b"\n"
    report = desk.import_(desk.write("archive.mbox", mbox))
    assert (report["stored"], report["duplicates"], desk.count()) == (0, 1, 1), report


# --- Junk among the emails ---------------------------------------------------------------------------

def test_a_file_that_is_no_email_in_a_folder_is_kept_with_a_warning_and_the_others_import(desk):
    import random

    rng = random.Random(4817)
    junk = rng.randbytes(4096).replace(b"\n", b"\x00")
    folder = desk.files / "export"
    desk.write("export/01-ana.eml", mail("From: Ana <ana@example.org>", "Subject: First", DATE,
                                         "Message-ID: <f1@example.org>", body="One.\n"))
    desk.write("export/02-junk.eml", junk)
    desk.write("export/03-bo.eml", mail("From: Bo <bo@example.org>", "Subject: Second", DATE,
                                        "Message-ID: <f2@example.org>", body="Two.\n"))
    desk.write("export/04-photo.eml", PNG)
    desk.write("export/notes.txt", b"not an .eml file: not imported")
    report = desk.import_(folder)
    assert (report["stored"], report["with_warnings"]) == (4, 2), report
    assert desk.count() == 4, "the four .eml files, readable or not"
    assert desk.row("f1@example.org")["body"] == "One." and desk.row("f2@example.org")["body"] == "Two."
    for data in (junk, PNG):
        row = desk.row(content_key(data))
        assert row["subject"] == "(unreadable email)"
        assert_warns(row["body"], "could not be read as an email", "raw text is kept")
        assert row["body"].startswith(data.decode("utf-8", errors="replace")[:200].strip()[:50])
        e = desk.entry(row["key"])
        assert e["contact"]["name"] == "Unknown sender"
    # Importing the folder again adds nothing, the junk included.
    assert desk.import_(folder)["duplicates"] == 4 and desk.count() == 4


# --- Truncated, empty, headers only, odd dates ------------------------------------------------------

def test_an_email_cut_mid_header_is_kept_with_what_it_has(desk):
    raw = b"Message-ID: <cut@example.org>\r\nDate: Tue, 24 Nov 2026 18:55:00 +0100\r\nSubject: Where is my parcel?\r\nFrom: Ana Costa <ana@exa"
    report = desk.import_(desk.write("cut.eml", raw))
    assert report["stored"] == 1 and desk.count() == 1
    e = desk.entry("cut@example.org")
    assert e["case"]["subject"] == "Where is my parcel?"
    assert e["happened_at"] == "2026-11-24T17:55:00Z"
    assert e["body"].startswith("(the email has no text)"), e["body"]
    # The half address "ana@exa" is no address: the name is kept, and the owner is told.
    assert (e["author"], e["contact"]["name"], e["contact"]["emails"]) == ("Ana Costa", "Ana Costa", [])
    assert_warns(e["body"], "no sender address")


def test_an_email_cut_before_its_sender_warns_that_there_is_no_sender(desk):
    raw = b"Message-ID: <cut2@example.org>\r\nSubject: Where is my parcel?\r\nFr"
    desk.import_(desk.write("cut.eml", raw))
    assert desk.count() == 1
    e = desk.entry("cut2@example.org")
    assert e["case"]["subject"] == "Where is my parcel?"
    assert_warns(e["body"], "no sender address", "no readable date")
    assert e["contact"]["name"] == "Unknown sender"


def test_an_empty_eml_file_is_kept_as_an_entry_with_a_warning(desk):
    report = desk.import_(desk.write("empty.eml", b""))
    assert report["stored"] == 1 and desk.count() == 1
    (row,) = desk.rows()
    assert row["key"] == content_key(b"")
    assert row["subject"] == "(unreadable email)"
    assert row["body"].startswith("(the email has no text)")
    assert_warns(row["body"], "could not be read as an email")


def test_an_email_with_headers_and_no_body_is_stored(desk):
    raw = b"From: Ana Costa <ana@example.org>\r\nSubject: Call me\r\nDate: Tue, 24 Nov 2026 18:55:00 +0100\r\nMessage-ID: <nobody@example.org>\r\n"
    desk.import_(desk.write("headers.eml", raw))
    assert desk.count() == 1
    e = desk.entry("nobody@example.org")
    assert (e["case"]["subject"], e["author"], e["body"]) == ("Call me", "Ana Costa", "(the email has no text)")
    assert e["happened_at"] == "2026-11-24T17:55:00Z"


def test_an_email_dated_far_in_the_future_is_filed_at_its_import_time_with_a_warning(desk):
    raw = mail("From: Ana Costa <ana@example.org>", "Subject: From the future", "Date: Fri, 01 Jan 2100 09:00:00 +0000",
               "Message-ID: <future@example.org>", body="Hello from 2100.\n")
    before = datetime.now(timezone.utc)
    desk.import_(desk.write("future.eml", raw))
    after = datetime.now(timezone.utc)
    assert desk.count() == 1
    e = desk.entry("future@example.org")
    assert before - timedelta(seconds=1) <= at(e["happened_at"]) <= after + timedelta(seconds=1), e["happened_at"]
    assert e["body"].startswith("Hello from 2100.")
    assert_warns(e["body"], "dated in the future", "the time it arrived is used")


@pytest.mark.parametrize("date", ["sometime next week", "Tue, 24 Novembre 2026 18:55:00 +0100", "1732470900",
                                  "", "Mon, 31 Feb 2026 25:61:99 +0000"])
def test_an_email_with_an_unreadable_date_is_filed_at_its_import_time_with_a_warning(desk, date):
    raw = mail("From: Ana Costa <ana@example.org>", "Subject: Odd date", f"Date: {date}",
               "Message-ID: <odd-date@example.org>", body="When did I write this?\n")
    before = datetime.now(timezone.utc)
    desk.import_(desk.write("odd-date.eml", raw))
    after = datetime.now(timezone.utc)
    assert desk.count() == 1
    e = desk.entry("odd-date@example.org")
    assert before - timedelta(seconds=1) <= at(e["happened_at"]) <= after + timedelta(seconds=1), e["happened_at"]
    assert_warns(e["body"], "no readable date", "the time it was imported is used")


# --- mbox "From " quoting ----------------------------------------------------------------------------

def mbox_with_from_lines() -> bytes:
    return (
        b"From ana@example.org Tue Nov 24 17:55:00 2026\n"
        + mail("From: Ana Costa <ana@example.org>", "Subject: Quoted", DATE, "Message-ID: <mb1@example.org>",
               body="Line one.\n>From the workshop window I saw the van leave.\n>>From here on, quoted twice.\nAna\n",
               eol=b"\n")
        + b"\nFrom bo@example.org Tue Nov 24 18:00:00 2026\n"
        + mail("From: Bo Berg <bo@example.org>", "Subject: Not quoted", DATE, "Message-ID: <mb2@example.org>",
               body="Hello,\nFrom what I can see the box was crushed.\nPlease send a new one.\nBo\n", eol=b"\n")
        + b"\nFrom cy@example.org Tue Nov 24 18:05:00 2026\n"
        + mail("From: Cy Dunn <cy@example.org>", "Subject: Last", DATE, "Message-ID: <mb3@example.org>",
               body="Third and last.\n", eol=b"\n")
        + b"\n")


def test_mbox_escaped_from_lines_are_restored_and_an_unescaped_one_loses_no_message(desk):
    """What happens to an unescaped "From " line in an mbox body (mail-parser's mbox reader): it starts
    a new message there. The line itself is taken as the next message's envelope line and dropped, and
    the rest of the body ("Please send a new one. Bo") becomes an extra entry, "(unreadable email)",
    with a warning. The emails around it are intact. The right behaviour is asserted (xfail) in the
    next test."""
    desk.import_(desk.write("archive.mbox", mbox_with_from_lines()))
    assert desk.row("mb1@example.org")["body"] == (
        "Line one.\nFrom the workshop window I saw the van leave.\n>From here on, quoted twice.\nAna")
    assert desk.row("mb3@example.org")["body"] == "Third and last."
    assert desk.row("mb2@example.org")["body"].startswith("Hello,")
    everything = "\n".join(r["body"] for r in desk.rows())
    assert "Please send a new one.\nBo" in everything, "the rest of the body is kept"
    assert desk.count() >= 3


@pytest.mark.xfail(strict=True, reason=(
    "An unescaped 'From ' line inside an mbox body splits the email: 3 emails become 4 messages, the "
    "line 'From what I can see the box was crushed.' is lost (taken as an envelope line), and the rest "
    "of Bo's email is a separate '(unreadable email)' entry. mail-parser's mbox reader splits on any "
    "line starting 'From ', even one that is not after a blank line and is no 'From addr date' line."))
def test_an_unescaped_from_line_in_an_mbox_body_stays_in_its_email(desk):
    desk.import_(desk.write("archive.mbox", mbox_with_from_lines()))
    assert desk.count() == 3, [(r["subject"], r["body"]) for r in desk.rows()]
    assert desk.row("mb2@example.org")["body"] == (
        "Hello,\nFrom what I can see the box was crushed.\nPlease send a new one.\nBo")


# --- Attachment names --------------------------------------------------------------------------------

def attachment(filename_param: str, data: bytes, ctype: str = "application/octet-stream") -> str:
    return (f"--a\nContent-Type: {ctype}\nContent-Disposition: attachment; {filename_param}\n"
            f"Content-Transfer-Encoding: base64\n\n{b64_lines(data)}")


def with_attachments(message_id: str, *parts: str, subject: str = "Files") -> bytes:
    return mail("From: Ana Costa <ana@example.org>", f"Subject: {subject}", DATE, f"Message-ID: <{message_id}>",
                "MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="a"',
                body="--a\nContent-Type: text/plain\n\nSee attached.\n" + "".join(parts) + "--a--\n")


def test_attachment_names_cannot_leave_the_attachments_folder(desk, tmp_path, monkeypatch):
    names = [
        ('filename="../../etc/passwd"', "passwd"),
        ('filename="C:\\\\evil.exe"', "evil.exe"),
        ('filename="..\\\\..\\\\Windows\\\\System32\\\\drivers\\\\etc\\\\hosts"', "hosts"),
        ('filename="/etc/shadow"', "shadow"),
        ("filename*=UTF-8''..%2F..%2F.ssh%2Fauthorized_keys", "authorized_keys"),
        ('filename="../.."', "attachment-6"),
        ('filename="con<>:|?*.txt"', "con______.txt"),
        ('filename="../../.bashrc"', "bashrc"),
        ('filename="CON"', "_CON"),
        ('filename="nul.txt"', "_nul.txt"),
        (f'filename="{"x" * 296}.pdf"', "x" * 196 + ".pdf"),
        ("filename*=UTF-8''bad%01name%1B%0D%0A.txt", "bad_name___.txt"),
    ]
    datas = [f"file {i}: {p}\n".encode() for i, (p, _) in enumerate(names)]
    raw = with_attachments("names@example.org", *(attachment(p, d) for (p, _), d in zip(names, datas)))
    workdir = tmp_path / "deep" / "er" / "cwd"
    workdir.mkdir(parents=True)
    monkeypatch.chdir(workdir)
    desk.import_(desk.write("names.eml", raw))
    assert desk.count() == 1
    e = desk.entry("names@example.org")
    assert [a["filename"] for a in e["attachments"]] == [shown for _, shown in names]
    for a, data in zip(e["attachments"], datas):
        assert "/" not in a["filename"] and "\\" not in a["filename"]
        assert (desk.attachments_dir / a["hash"]).read_bytes() == data
    assert files_in(desk.attachments_dir) == sorted(sha256(d) for d in datas), "only files named by their hash"
    written = {p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()}
    assert written == {Path("mail/names.eml"), Path("shop/shopdesk.sqlite3")} | {
        Path("shop/attachments") / sha256(d) for d in datas} | {
        p for p in written if p.name.startswith("shopdesk.sqlite3-")}, "nothing written anywhere else"


def test_the_same_attachment_in_two_emails_is_stored_once_and_listed_on_both(desk):
    one = with_attachments("same-1@example.org", attachment('filename="invoice.pdf"', PDF, "application/pdf"),
                           subject="Invoice")
    two = with_attachments("same-2@example.org", attachment('filename="Rechnung 4817.pdf"', PDF, "application/pdf"),
                           attachment('filename="logo.png"', PNG, "image/png"), subject="Rechnung")
    desk.import_(desk.write("one.eml", one), desk.write("two.eml", two))
    assert desk.count() == 2
    first, second = desk.entry("same-1@example.org"), desk.entry("same-2@example.org")
    assert [(a["filename"], a["hash"], a["size"]) for a in first["attachments"]] == [("invoice.pdf", sha256(PDF), len(PDF))]
    assert [(a["filename"], a["hash"]) for a in second["attachments"]] == [
        ("Rechnung 4817.pdf", sha256(PDF)), ("logo.png", sha256(PNG))]
    assert files_in(desk.attachments_dir) == sorted([sha256(PDF), sha256(PNG)])
    assert (desk.attachments_dir / sha256(PDF)).read_bytes() == PDF
