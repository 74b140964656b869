"""Email through the real app window: the owner sets up the mail account in Settings (the password goes
to the keychain), sends a test email, checks mail, finds the customer's email as a case, replies, and sees
it sent; with the server down the reply waits in the outbox and goes out once it is back. Real servers:
aiosmtpd (SMTP), Dovecot (IMAP) and gnome-keyring, all on this machine."""

from __future__ import annotations

import re

import subprocess
import time
from email import message_from_bytes, policy

from helpers import queue_row, text_of, timeline
from mailservers import IMAP_PASSWORD, IMAP_USER, make_mail

CUSTOMER_MAIL = make_mail("Where is my teapot?", "I ordered it two weeks ago (order 5521).",
                          sender="Chloé Martin <chloe@example.fr>", message_id="<chloe-teapot@example.fr>")
REPLY = "It left our workshop this morning; here is the tracking: PT123456789."


def set_field(app, testid: str, value: str) -> None:
    app.type(testid, value, clear=True)


def fill_account(app, smtp_port: int, imap_port: int) -> None:
    type_account(app, smtp_port, imap_port)
    app.click("mail-save")
    app.wait_for("mail-saved")


def type_account(app, smtp_port: int, imap_port: int) -> None:
    """Settings → Mail account, every field typed in, not saved yet."""
    app.click("nav-settings")
    app.wait_for("mail-from-address")
    set_field(app, "mail-from-name", "Costa Ceramics")
    set_field(app, "mail-from-address", "shop@example.com")
    set_field(app, "mail-username", IMAP_USER)
    set_field(app, "mail-password", IMAP_PASSWORD)
    app.select("mail-smtp-security", "none")
    set_field(app, "mail-smtp-host", "127.0.0.1")
    set_field(app, "mail-smtp-port", str(smtp_port))
    app.select("mail-imap-security", "none")
    set_field(app, "mail-imap-host", "127.0.0.1")
    set_field(app, "mail-imap-port", str(imap_port))
    set_field(app, "mail-signature", "Rui, Costa Ceramics")


def sent_to(sink, address: str) -> list:
    return [parsed for raw, env in sink.messages() if address in env["rcpt_tos"]
            for parsed in [message_from_bytes(raw, policy=policy.default)]]


def test_without_a_keychain_the_account_is_saved_and_the_owner_told_only_the_password_is_not(app):
    """No Secret Service on this session (no keyring_env): saving the account keeps everything but the
    password, and the message says exactly that, not only that the keychain failed."""
    type_account(app, 2525, 1143)
    app.click("mail-save")
    error = app.wait_for_text("form-error", "saved, but not the password")
    assert "keychain" in error.text.lower(), error.text
    view = app.invoke("get_mail_account")
    assert (view["account"]["from_address"], view["account"]["smtp_host"]) == ("shop@example.com", "127.0.0.1"), view


def test_set_up_mail_receive_reply_and_see_it_sent(keyring_env, app, smtp_sink, imap_server):
    fill_account(app, smtp_sink.port, imap_server.port)
    assert keyring_env.lookup("shopdesk", f"{IMAP_USER}@127.0.0.1") == IMAP_PASSWORD, "the password is in the keychain"
    view = app.invoke("get_mail_account")
    assert view["has_password"] and view["can_send"] and view["can_fetch"]

    app.click("mail-test-send")
    app.wait_for_text("mail-test-result", r"Sent a test email to shop@example\.com")
    smtp_sink.wait_for(1)

    # A customer writes; "Check mail" brings it in as a case, acknowledged at once.
    imap_server.deliver(CUSTOMER_MAIL)
    app.click("fetch-mail-now")
    app.wait_for_text("fetch-mail-result", r"1 new")
    app.click("nav-queue")
    row = app.wait_until(lambda _: queue_row(app, 1001), "the customer's email is not in the queue")
    assert "Where is my teapot?" in text_of(row)
    app.wait_until(lambda _: sent_to(smtp_sink, "chloe@example.fr"), "no acknowledgement reached the customer")
    (ack,) = sent_to(smtp_sink, "chloe@example.fr")
    assert ack["Auto-Submitted"] == "auto-replied" and "#1001" in ack.get_content()

    # The owner answers from the case; the timeline shows it sent.
    app.click(row)
    app.wait_for_text("case-number", r"#1001")
    app.type("log-body", REPLY)
    app.click("composer-send-email")
    # The acknowledgement on the timeline shows as sent to her already: the reply is the second.
    app.wait_until(
        lambda _: sum(e.get_attribute("data-state") == "sent" and "chloe@example.fr" in text_of(e)
                      for e in app.all("delivery-status")) == 2,
        "the reply never shows as sent",
        timeout=30,
    )
    replies = [m for m in sent_to(smtp_sink, "chloe@example.fr") if m["Auto-Submitted"] is None]
    assert len(replies) == 1
    reply = replies[0]
    assert reply["Subject"] == "Re: Where is my teapot? [#1001]"
    assert reply["In-Reply-To"] == "<chloe-teapot@example.fr>"
    assert reply.get_content().replace("\r\n", "\n").startswith(REPLY + "\n\n-- \nRui, Costa Ceramics")
    assert app.invoke("get_case", {"number": 1001})["waiting_secs"] is None, "answered: the clock stopped"
    app.screenshot("mail-reply-sent")


def test_the_first_look_at_a_full_mailbox_shows_its_progress(keyring_env, app, smtp_sink, imap_server):
    for i in range(40):
        imap_server.deliver(make_mail(f"Question {i}", f"Body {i}", sender=f"c{i}@example.org", message_id=f"<full{i}@example.org>"))
    # Everything the rail shows of it, as it changes (a local fetch of 40 emails is quick).
    app.driver.execute_script(
        "window.__fetchSeen = [];"
        "new MutationObserver(() => { const el = document.querySelector('[data-testid=fetch-progress]');"
        "  if (el) window.__fetchSeen.push(el.innerText); })"
        ".observe(document.body, {subtree: true, childList: true, characterData: true});"
    )
    fill_account(app, smtp_sink.port, imap_server.port)
    app.wait_until(lambda _: app.queue_data()["total_open"] == 40, "the mailbox was not brought in")
    seen = app.driver.execute_script("return window.__fetchSeen")
    assert any(re.search(r"Bringing in your mailbox: \d+ of 40", t) for t in seen), seen
    app.wait_until(lambda _: not app.all("fetch-progress"), "the progress stays after the last batch")


def test_a_reply_waits_while_the_server_is_down_and_goes_out_once_it_is_back(keyring_env, app, smtp_sink, imap_server):
    fill_account(app, smtp_sink.port, imap_server.port)
    app.invoke("open_case", {"input": {
        "contact": {"new": {"name": "Ana Costa", "emails": ["ana@example.org"], "phones": [], "address": "", "notes": "", "tags": []}},
        "subject": "Parcel", "priority": "normal", "category": "delivery",
        "first_message": {"direction": "from_customer", "channel": "email", "author": "", "body": "Where is it?", "happened_at": None},
    }})
    smtp_sink.stop()
    app.go("#/case/1001")
    app.wait_for_text("case-number", r"#1001")
    app.type("log-body", "On its way.")
    app.click("composer-send-email")
    status = app.wait_until(
        lambda _: next((e for e in app.all("delivery-status") if e.get_attribute("data-state") == "queued"
                        and "retrying" in text_of(e).lower()), None),
        "the reply does not say it is retrying",
        timeout=30,
    )
    assert "127.0.0.1" in text_of(status), text_of(status)
    app.wait_until(lambda _: text_of(app.wait_for("outbox-count")).strip() == "1", "the outbox does not count the reply")

    smtp_sink.start()
    app.click(app.all("delivery-retry")[0])
    app.wait_until(lambda _: any(e.get_attribute("data-state") == "sent" for e in app.all("delivery-status")),
                   "the reply was not sent once the server was back", timeout=30)
    time.sleep(1)
    assert len(sent_to(smtp_sink, "ana@example.org")) == 1, "sent exactly once"


def test_past_mail_is_imported_from_the_app_onto_cases(app, tmp_path):
    """The import behind Settings → Bring in past mail. The system's file dialog itself can't be driven over
    WebDriver (it is a native GTK window), so the test hands the command the path the dialog would give."""
    mbox = tmp_path / "old-mail.mbox"
    with mbox.open("wb") as f:
        for i in range(120):
            f.write(b"From c%d@example.org Wed Nov 25 09:00:00 2026\n" % (i % 30))
            f.write(make_mail(f"Old question {i}", f"Body {i}", sender=f"c{i % 30}@example.org",
                              message_id=f"<old{i}@example.org>").replace(b"\r\n", b"\n"))
            f.write(b"\n")
        # A year old, never answered: with the box ticked (as it starts) these come in closed.
        for i in range(4):
            f.write(b"From old@example.org Mon Nov 10 09:00:00 2025\n")
            f.write(make_mail(f"Ancient question {i}", "Still there?", sender=f"old{i}@example.org",
                              message_id=f"<ancient{i}@example.org>", date="Mon, 10 Nov 2025 09:00:00 +0000").replace(b"\r\n", b"\n"))
            f.write(b"\n")
    app.click("nav-settings")
    app.wait_for("import-mail-files")
    assert app.wait_for("import-close-quiet").is_selected(), "long-quiet conversations are closed unless the owner says not"
    report = app.invoke("import_mail", {"paths": [str(mbox)], "closeQuietDays": 30})
    assert (report["stored"], report["new_cases"], report["new_contacts"]) == (124, 124, 34), report
    assert report["closed_quiet"] == 4, report
    again = app.invoke("import_mail", {"paths": [str(mbox)], "closeQuietDays": 30})
    assert (again["stored"], again["duplicates"], again["closed_quiet"]) == (0, 124, 0), "importing again adds nothing twice"
    app.click("nav-queue")
    app.wait_until(lambda _: queue_row(app, 1001) is not None, "imported mail is not in the queue")
    assert app.invoke("outbox") == [], "past mail is never acknowledged"


HOSTILE = b"""From: Mallory <mallory@example.net>\r
To: shop@example.com\r
Subject: Order question\r
Date: Wed, 25 Nov 2026 09:00:00 +0000\r
Message-ID: <hostile@example.net>\r
MIME-Version: 1.0\r
Content-Type: text/html; charset=utf-8\r
\r
<html><head><script>window.top.document.title = 'PWNED'; window.top.pwned = 1;</script></head>\r
<body onload="window.top.pwned = 2"><p>Where is my <b>order 4817</b>?</p>\r
<img src="https://tracker.example/pixel.gif" alt="tracker" onerror="window.top.pwned = 3">\r
<a href="javascript:window.top.pwned = 4">click</a></body></html>\r
"""


def test_hostile_html_mail_is_shown_without_scripts_or_remote_images(app, tmp_path):
    eml = tmp_path / "hostile.eml"
    eml.write_bytes(HOSTILE)
    app.invoke("import_mail", {"paths": [str(eml)]})
    app.go("#/case/1001")
    app.wait_for_text("case-number", r"#1001")
    title = app.driver.title
    message = next(e for e in timeline(app, "message") if "order 4817" in text_of(e))
    assert "PWNED" not in text_of(message) and "window.top" not in text_of(message)
    app.click(app.one("message-show-html", message))
    frame = app.wait_for("message-html-frame")
    assert frame.get_attribute("sandbox") == "", "no scripts, no forms, no same-origin in the email's frame"
    srcdoc = frame.get_attribute("srcdoc")
    for bad in ("<script", "onload", "onerror", "javascript:", "tracker.example"):
        assert bad not in srcdoc, f"{bad} reached the window: {srcdoc}"
    assert "<b>order 4817</b>" in srcdoc
    time.sleep(1)
    assert app.driver.execute_script("return window.pwned === undefined") and app.driver.title == title
    app.driver.switch_to.frame(frame)
    try:
        assert "Where is my order 4817?" in app.driver.find_element("tag name", "body").text
    finally:
        app.driver.switch_to.default_content()
    app.screenshot("mail-hostile-html")


def test_a_quiet_customer_gets_the_saved_follow_up_in_one_click(keyring_env, launch, tmp_path, smtp_sink, imap_server):
    from datetime import datetime, timedelta, timezone

    from conftest import cli_binary

    def ago(days: float) -> str:
        return (datetime.now(timezone.utc) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")

    db = tmp_path / "shop.sqlite3"
    run = lambda *args: subprocess.run([str(cli_binary()), "--db", str(db), *args], check=True, capture_output=True)
    run("case", "open", "--new-name", "Bo Berg", "--new-email", "bo@example.org", "--subject", "Which glaze?",
        "--channel", "email", "--text", "Is the blue glaze food safe?", "--at", ago(5))
    run("case", "log", "1001", "--channel", "email", "--direction", "from_shop",
        "--text", "Yes it is. Shall I reserve the set for you?", "--at", ago(4))
    run("case", "status", "1001", "waiting_on_customer")

    app = launch(["--db", str(db)])
    fill_account(app, smtp_sink.port, imap_server.port)
    app.click("nav-queue")
    button = app.wait_for("reminders-follow-up")
    assert button.get_attribute("data-case-number") == "1001"
    app.click(button)
    app.wait_until(lambda _: sent_to(smtp_sink, "bo@example.org"), "the follow-up never reached the customer")
    # Sent: the customer has heard from the shop, so the reminder (and its button) goes away.
    app.wait_until(lambda _: not app.all("reminders-follow-up"), "the reminder stayed after the follow-up went")
    (mail,) = sent_to(smtp_sink, "bo@example.org")
    assert mail["Subject"] == "Re: Which glaze? [#1001]"
    assert mail.get_content().replace("\r\n", "\n").startswith("Hello Bo,\n\nWe are following up on case #1001 (Which glaze?).")


def test_new_mail_arrives_by_itself_as_the_server_announces_it(keyring_env, app, smtp_sink, imap_server):
    """IMAP IDLE: with the check interval at an hour, a new email still becomes a case within moments."""
    fill_account(app, smtp_sink.port, imap_server.port)
    set_field(app, "mail-poll-minutes", "60")
    app.click("mail-save")
    app.wait_for("mail-saved")
    app.wait_until(lambda _: app.invoke("mail_status")["last_fetch_at"] is not None, "the first look at the mailbox never happened")
    time.sleep(2)  # the watcher is waiting on the mailbox now
    imap_server.deliver(CUSTOMER_MAIL)
    app.click("nav-queue")
    app.wait_until(lambda _: queue_row(app, 1001), "the new email did not arrive without a click", timeout=30)
    imap_server.deliver(make_mail("Re: Where is my teapot? [#1001]", "Any news?", sender="chloe@example.fr",
                                  message_id="<chloe-teapot-2@example.fr>"))
    customer_emails = lambda: [e for e in app.invoke("get_case", {"number": 1001})["timeline"]
                               if e["type"] == "message" and e["direction"] == "from_customer"]
    assert len(customer_emails()) == 1
    app.wait_until(lambda _: len(customer_emails()) == 2, "the second email did not arrive either", timeout=30)


def test_an_attachment_is_saved_where_the_owner_chooses(app, tmp_path):
    """"Save…" on an attachment. The save dialog is a native window WebDriver can't drive; the test hands the
    command the path the dialog would return, and checks the button is there."""
    import base64
    import hashlib

    photo = bytes(range(256)) * 40
    raw = (b"From: Ana Costa <ana@example.org>\r\nSubject: Broken teapot\r\nMessage-ID: <photo@example.org>\r\n"
           b"Date: Wed, 25 Nov 2026 09:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
           b"--b\r\nContent-Type: text/plain\r\n\r\nSee the photo.\r\n--b\r\nContent-Type: image/jpeg\r\n"
           b"Content-Disposition: attachment; filename=\"teapot.jpg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + base64.encodebytes(photo).replace(b"\n", b"\r\n") + b"--b--\r\n")
    eml = tmp_path / "photo.eml"
    eml.write_bytes(raw)
    app.invoke("import_mail", {"paths": [str(eml)]})
    app.go("#/case/1001")
    button = app.wait_for("message-attachment")
    assert "teapot.jpg" in text_of(button) and "10 KB" in text_of(button), text_of(button)
    to = tmp_path / "Downloads" / "teapot.jpg"
    to.parent.mkdir()
    app.invoke("save_attachment", {"hash": hashlib.sha256(photo).hexdigest(), "to": str(to)})
    assert to.read_bytes() == photo



def test_a_past_mail_import_stops_when_asked_and_the_next_brings_in_the_rest(app, tmp_path):
    """Stop, as the button sends it, during an import the page started (the file dialog itself
    can't be driven: the path is handed to the command, as in the test above)."""
    mbox = tmp_path / "years.mbox"
    total = 6000
    with mbox.open("wb") as f:
        for i in range(total):
            f.write(b"From c%d@example.org Wed Nov 25 09:00:00 2026\n" % (i % 500))
            f.write(make_mail(f"Question {i}", f"Body {i}", sender=f"c{i % 500}@example.org",
                              message_id=f"<y{i}@example.org>").replace(b"\r\n", b"\n"))
            f.write(b"\n")
    app.click("nav-settings")
    app.wait_for("import-mail-files")
    app.driver.execute_script(
        "window.__imported = null;"
        "window.__TAURI_INTERNALS__.invoke('import_mail', {paths: [arguments[0]], closeQuietDays: null})"
        "  .then(r => window.__imported = {ok: r}, e => window.__imported = {err: String(e)});",
        str(mbox),
    )
    app.wait_until(lambda _: app.invoke("queue", {"filter": {"status": None, "channel": None, "category": None}})["total_open"] > 0,
                   "the import never filed its first step")
    app.invoke("stop_import")
    result = app.wait_until(lambda d: d.execute_script("return window.__imported"), "the import never answered")
    assert "ok" in result, result
    first = result["ok"]
    assert first["stopped"] and 0 < first["stored"] < total, first

    rest = app.invoke("import_mail", {"paths": [str(mbox)], "closeQuietDays": None})
    assert not rest["stopped"]
    assert (rest["duplicates"], rest["stored"] + rest["duplicates"]) == (first["stored"], total), rest
