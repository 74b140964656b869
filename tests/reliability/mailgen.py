"""Sample customer mail for the reliability suite: every email has a unique Message-ID, a body with a
start token and an end marker (so a stored body can be told complete from cut short), some come in
threads (replies carry In-Reply-To/References to the email before them), and some carry an attachment
whose SHA-256 is known. What was generated is the expectation the checks compare the database with.
"""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass, field
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone


@dataclass
class Expected:
    """One generated email as the database should hold it."""

    message_id: str  # without angle brackets, as the messages table stores it
    thread: int  # emails with the same thread number belong on one case
    sender: str
    start: str  # the body's first words and its last line: both must be in the stored body
    end: str
    attachments: list[str] = field(default_factory=list)  # SHA-256 hex of each attached file
    raw: bytes = b""


def generate(n: int, seed: int, tag: str, date: datetime | None = None, attachment_every: int = 20,
             attachment_size: tuple[int, int] = (2_000, 12_000)) -> list[Expected]:
    """n emails from about n/5 senders, in threads of one to four, in the order a mailbox would hold
    them (a thread's first email before its replies). tag makes the Message-IDs unique across runs.
    date=None dates them in 2025 (old mail, never acknowledged); otherwise around `date`."""
    rng = random.Random(seed)
    senders = [f"customer{i}@example.org" for i in range(max(1, n // 5))]
    base = date or datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)
    out: list[Expected] = []
    open_threads: list[tuple[int, str, str, list[str]]] = []  # (thread, sender, subject, ids so far)
    next_thread = 0
    for i in range(n):
        msg_id = f"rel-{tag}-{i}@example.org"
        reply_to = None
        if open_threads and rng.random() < 0.35:
            k = rng.randrange(len(open_threads))
            thread, sender, subject, ids = open_threads[k]
            reply_to = ids[:]
            ids.append(msg_id)
            subject = f"Re: {subject}"
            if len(ids) >= 4:
                open_threads.pop(k)
        else:
            thread = next_thread
            next_thread += 1
            sender = rng.choice(senders)
            subject = f"Order {10000 + thread}: question {rng.choice(['parcel', 'refund', 'teapot', 'invoice', 'glaze'])}"
            open_threads.append((thread, sender, subject, [msg_id]))
            if len(open_threads) > 200:
                open_threads.pop(0)
        start = f"start-{tag}-{i}"
        end = f"end-{tag}-{i}"
        filler = " ".join(rng.choice(["where", "is", "my", "order", "the", "cup", "arrived", "broken", "please",
                                      "help", "thanks", "glaze", "colour", "blue"]) for _ in range(rng.randint(5, 60)))
        body = f"{start} {filler}\n\nSecond paragraph of email {i}.\n{end}\n"
        when = base + timedelta(minutes=i) if date is None else base - timedelta(seconds=n - i)
        headers = [
            f"From: Customer {sender.split('@')[0]} <{sender}>",
            "To: Costa Ceramics <shop@example.com>",
            f"Subject: {subject}",
            f"Date: {format_datetime(when)}",
            f"Message-ID: <{msg_id}>",
        ]
        if reply_to:
            headers.append(f"In-Reply-To: <{reply_to[-1]}>")
            headers.append("References: " + " ".join(f"<{r}>" for r in reply_to))
        headers.append("MIME-Version: 1.0")
        attachments = []
        if attachment_every and i % attachment_every == attachment_every - 1:
            data = rng.randbytes(rng.randint(*attachment_size))
            attachments.append(hashlib.sha256(data).hexdigest())
            boundary = f"b-{tag}-{i}"
            encoded = base64.encodebytes(data).decode()
            headers.append(f'Content-Type: multipart/mixed; boundary="{boundary}"')
            text = (f"--{boundary}\nContent-Type: text/plain; charset=utf-8\n\n{body}\n"
                    f"--{boundary}\nContent-Type: application/octet-stream\n"
                    f'Content-Disposition: attachment; filename="photo-{i}.bin"\n'
                    f"Content-Transfer-Encoding: base64\n\n{encoded}\n--{boundary}--\n")
        else:
            headers.append("Content-Type: text/plain; charset=utf-8")
            text = body
        raw = ("\n".join(headers) + "\n\n" + text).encode()
        out.append(Expected(msg_id, thread, sender, start, end, attachments, raw))
    return out


def write_mbox(path, emails: list[Expected]) -> None:
    """An mbox (mboxo: "From " separator lines; no body line starts with "From ", so nothing needs quoting)."""
    with open(path, "wb") as f:
        for e in emails:
            f.write(f"From {e.sender} Sat Mar  1 09:00:00 2025\n".encode())
            f.write(e.raw)
            f.write(b"\n")


def crlf(raw: bytes) -> bytes:
    """The same email with CRLF line ends, as IMAP servers hand them out."""
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
