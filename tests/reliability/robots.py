"""Mail robots for the auto-reply loop fault: correspondents whose mailboxes answer every email they get.

Each robot owns one address. `answer(email)` is what its mailbox sends back to an email Shopdesk sent
it (None: it stays quiet); `first()` is what it writes to the shop at the start. Every email the robots
write carries a unique Message-ID and start/end tokens in its body, so the audit (shop.py) can tell it
was stored once and whole. Dates are on the shop's clock (the real time plus the offset the run moved
it by), as a robot answering at that moment would date them.

- vacation: a person writes once, then their out-of-office answers everything, marked
  `Auto-Submitted: auto-replied` (RFC 3834); every other answer leaves out In-Reply-To, so it opens a
  new case rather than landing on the old one.
- naive: a person writes once, then a home-made responder answers everything with a plain reply
  (Re: subject, In-Reply-To, no Auto-Submitted, no Precedence).
- tickets: another help desk: a person writes once, then every email it gets opens a ticket there
  and it answers "[Ticket N] We received your request" as a fresh email (no In-Reply-To, no
  References, no [#case] tag, no robot headers): to Shopdesk each answer is a new case.
- news: a `Precedence: bulk` newsletter, sent every few rounds; it answers anything it gets in bulk too.
- ghost: an address that doesn't exist: someone writes from it once (forged), and every email sent
  to it comes back as a bounce from MAILER-DAEMON@ (multipart/report, no other robot header).
- chatty: a person who writes a fresh email (new subject) every round for the first part of the
  run: the rule "one acknowledgement per sender a day" is what keeps their inbox clean.
"""

from __future__ import annotations

import email
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email import policy
from email.utils import format_datetime, parseaddr

from mailgen import Expected

SHOP = "shop@example.com"

ADDRESSES = {
    "vacation": "vacation@example.org",
    "naive": "naive@example.org",
    "tickets": "tickets@example.net",
    "news": "news@example.com",
    "ghost": "ghost@example.net",
    "chatty": "chatty@example.org",
}
BOUNCER = "MAILER-DAEMON@mx.example.net"
# Who must never get an acknowledgement: the robots' own addresses where every email is robot mail.
NEVER_ACKED = {"news@example.com", "mailer-daemon@mx.example.net"}


@dataclass
class Sent:
    """One email a robot put into the shop's mailbox."""

    expected: Expected
    robot: str  # which robot wrote it
    auto: str  # "" for a person's email, else why it is robot mail: auto-submitted / bulk / bounce / none
    at: datetime  # its Date (shop clock)


class Robots:
    def __init__(self, tag: str):
        self.tag = tag
        self.count = 0
        self.tickets = 5000
        self.written: list[Sent] = []

    def _write(self, robot: str, sender: str, subject: str, text: str, now: datetime, auto: str,
               headers: list[str] = (), in_reply_to: str | None = None, from_name: str = "",
               content_type: str = "text/plain; charset=utf-8", body: str | None = None,
               attachments: list[str] = ()) -> Sent:
        self.count += 1
        mid = f"robot-{self.tag}-{robot}-{self.count}@{sender.split('@')[1].lower()}"
        start, end = f"start-{self.tag}-{self.count}", f"end-{self.tag}-{self.count}"
        lines = [
            f"From: {from_name + ' ' if from_name else ''}<{sender}>",
            f"To: Costa Ceramics <{SHOP}>",
            f"Subject: {subject}",
            f"Date: {format_datetime(now)}",
            f"Message-ID: <{mid}>",
            *headers,
        ]
        if in_reply_to:
            lines += [f"In-Reply-To: <{in_reply_to}>", f"References: <{in_reply_to}>"]
        lines += ["MIME-Version: 1.0", f"Content-Type: {content_type}"]
        text_body = f"{start} {text}\n{end}\n"
        raw = ("\r\n".join(lines) + "\r\n\r\n" + (body.replace("{TEXT}", text_body) if body else text_body)).encode()
        raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        sent = Sent(Expected(mid, self.count, sender.lower(), start, end, list(attachments), raw), robot, auto, now)
        self.written.append(sent)
        return sent

    # --- what each robot writes ----------------------------------------------------------------------

    def first(self, now: datetime) -> list[Sent]:
        """The emails that start it all (round 0)."""
        return [
            self._write("vacation", ADDRESSES["vacation"], "Glaze colour for the big bowl", "Is the blue glaze food safe?",
                        now, "", from_name="Vera Vacation"),
            self._write("naive", ADDRESSES["naive"], "Broken cup in my parcel", "One cup arrived broken, what now?",
                        now, "", from_name="Nils Naive"),
            self._write("tickets", ADDRESSES["tickets"], "Wholesale order for our shop", "We would like 40 mugs.",
                        now, "", from_name="Tess Tickets"),
            self._write("ghost", ADDRESSES["ghost"], "Cheap watches", "Buy cheap watches now.", now, ""),
            self.newsletter(now),
        ]

    def newsletter(self, now: datetime) -> Sent:
        return self._write("news", ADDRESSES["news"], f"Pottery News no. {self.count + 1}",
                           "This month: kilns, clay and glazes.", now, "bulk", headers=["Precedence: bulk"],
                           from_name="Pottery News")

    def chatty(self, now: datetime, i: int) -> Sent:
        return self._write("chatty", ADDRESSES["chatty"], f"Another question ({i})",
                           f"Question number {i}: do you ship to the islands?", now, "", from_name="Chad Chatty")

    def answer(self, raw: bytes, now: datetime) -> list[Sent]:
        """The robots' answers to one email Shopdesk sent (one per robot address among its recipients)."""
        msg = email.message_from_bytes(raw, policy=policy.default)
        subject = str(msg.get("Subject", ""))
        their_id = str(msg.get("Message-ID", "")).strip().strip("<>")
        rcpts = {parseaddr(a)[1].lower() for a in msg.get_all("To", [])}
        out: list[Sent] = []
        for name, address in ADDRESSES.items():
            if address not in rcpts:
                continue
            if name == "vacation":
                threaded = sum(1 for s in self.written if s.robot == "vacation") % 2 == 0
                out.append(self._write("vacation", address, f"Out of office: {subject}",
                                       "I am away until Monday and will read your email then.", now,
                                       "auto-submitted", headers=["Auto-Submitted: auto-replied"],
                                       in_reply_to=their_id if threaded else None, from_name="Vera Vacation"))
            elif name == "naive":
                out.append(self._write("naive", address, f"Re: {subject}",
                                       "Thank you for your email! We will answer as soon as we can.", now, "none",
                                       in_reply_to=their_id, from_name="Nils Naive"))
            elif name == "tickets":
                self.tickets += 1
                out.append(self._write("tickets", address, f"[Ticket {self.tickets}] We received your request",
                                       "Your request is in our queue; our team answers within 3 days.", now, "none",
                                       from_name="Tess Tickets Support"))
            elif name == "news":
                out.append(self._write("news", address, "Re: your message to Pottery News",
                                       "This mailbox is not read. Unsubscribe on our website.", now, "bulk",
                                       headers=["Precedence: bulk"], from_name="Pottery News"))
            elif name == "ghost":
                boundary = f"bounce-{self.tag}-{self.count + 1}"
                status = (f"Reporting-MTA: dns; mx.example.net\r\n\r\nFinal-Recipient: rfc822; {address}\r\n"
                          "Action: failed\r\nStatus: 5.1.1\r\n")
                body = (f"This is a MIME-encapsulated message.\r\n\r\n--{boundary}\r\n"
                        "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
                        "{TEXT}I'm sorry to have to inform you that your message could not be delivered: "
                        f"<{address}>: user unknown\r\n\r\n--{boundary}\r\n"
                        f"Content-Type: message/delivery-status\r\n\r\n{status}\r\n--{boundary}--\r\n")
                out.append(self._write("ghost", BOUNCER, "Undelivered Mail Returned to Sender", "", now, "bounce",
                                       content_type=f'multipart/report; report-type=delivery-status; boundary="{boundary}"',
                                       body=body, from_name="Mail Delivery System",
                                       # the delivery-status part is kept as an attachment, byte for byte
                                       attachments=[hashlib.sha256(status.encode()).hexdigest()]))
            elif name == "chatty":
                pass  # a person: reads the acknowledgement, answers nothing
        return out


def shop_time(offset: int) -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=offset)
