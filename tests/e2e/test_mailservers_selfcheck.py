"""The mail server and keychain fixtures themselves, driven by Python's own smtplib/imaplib/secret-tool.
No app needed: if these fail, the app's mail tests can't be trusted either."""

import smtplib
import socket
import time
from email.message import EmailMessage

import pytest

from mailservers import HangingSmtp, Imap, SmtpSink, free_port, make_mail


def send(port: int, msg: EmailMessage, login: tuple[str, str] | None = None) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.ehlo("selfcheck.test")
        if login:
            smtp.login(*login)
        smtp.send_message(msg)


def mail(subject: str, to: str = "customer@example.org") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "shop@example.com"
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(f"Body of {subject}\n")
    return msg


# --- SMTP ---------------------------------------------------------------------------------------------


def test_smtp_sink_records_mail_and_auth(smtp_sink):
    send(smtp_sink.port, mail("First"), login=("shop@example.com", "s3cret pw"))
    send(smtp_sink.port, mail("Second", to="other@example.org"))

    (raw1, env1), (raw2, env2) = smtp_sink.wait_for(2, timeout=10)
    assert b"Subject: First\r\n" in raw1, "raw DATA bytes are kept with CRLF line ends"
    assert b"Body of First" in raw1
    assert env1["mail_from"] == "shop@example.com"
    assert env1["rcpt_tos"] == ["customer@example.org"]
    assert (env1["login"], env1["password"]) == ("shop@example.com", "s3cret pw")
    assert env1["mechanism"] in ("PLAIN", "LOGIN")
    assert env1["ehlo"] == "selfcheck.test"

    assert b"Subject: Second" in raw2
    assert env2["rcpt_tos"] == ["other@example.org"]
    assert env2["login"] is None and env2["password"] is None, "no AUTH on the second connection"
    assert [a["login"] for a in smtp_sink.auth_attempts()] == ["shop@example.com"]


def test_smtp_sink_wait_for_times_out_with_a_count(smtp_sink):
    send(smtp_sink.port, mail("Only one"))
    with pytest.raises(TimeoutError, match="1 of 2 mails"):
        smtp_sink.wait_for(2, timeout=0.5)


def test_smtp_sink_down_then_back_on_the_same_port(tmp_path):
    sink = SmtpSink(tmp_path / "smtp").start()
    try:
        port = sink.port
        send(port, mail("Before"))
        sink.wait_for(1)
        sink.stop()
        with pytest.raises(ConnectionRefusedError):
            send(port, mail("While down"))
        sink.start()
        assert sink.port == port
        send(port, mail("After"))
        got = sink.wait_for(2)
        assert [raw.split(b"Subject: ")[1].split(b"\r\n")[0] for raw, _ in got] == [b"Before", b"After"]
    finally:
        sink.stop()


def test_smtp_sink_can_refuse_auth(tmp_path):
    with SmtpSink(tmp_path / "smtp", reject_auth=True) as sink:
        with pytest.raises(smtplib.SMTPAuthenticationError):
            send(sink.port, mail("Nope"), login=("shop@example.com", "wrong"))
        assert sink.messages() == []
        attempts = sink.auth_attempts()
        # smtplib tries every mechanism the server offers before giving up (PLAIN, then LOGIN).
        assert {a["mechanism"] for a in attempts} == {"PLAIN", "LOGIN"}
        assert all((a["login"], a["password"], a["accepted"]) == ("shop@example.com", "wrong", False)
                   for a in attempts)


def test_hanging_smtp_never_greets():
    with HangingSmtp() as server:
        start = time.monotonic()
        with pytest.raises((socket.timeout, smtplib.SMTPServerDisconnected)):
            smtplib.SMTP("127.0.0.1", server.port, timeout=1)
        assert 0.9 < time.monotonic() - start < 5, "connect succeeded, then the greeting never came"
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=2).close()


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_smtp_sink_speaks_tls_with_the_test_ca(tmp_path, mode):
    import ssl

    from mailservers import TestCA

    ca = TestCA(tmp_path / "ca")
    trusting = ssl.create_default_context(cafile=str(ca.bundle))
    with SmtpSink(tmp_path / "smtp", tls=mode, cert=ca.server_chain, key=ca.server_key) as sink:
        for host in ("localhost", "127.0.0.1"):  # both names are in the certificate
            if mode == "tls":
                smtp = smtplib.SMTP_SSL(host, sink.port, context=trusting, timeout=10)
            else:
                smtp = smtplib.SMTP(host, sink.port, timeout=10)
                smtp.ehlo("selfcheck.test")
                assert smtp.has_extn("starttls")
                assert smtp.mail("shop@example.com")[0] == 530, "nothing before STARTTLS"
                smtp.starttls(context=trusting)
            with smtp:
                smtp.login("shop@example.com", "pw")
                smtp.send_message(mail(f"Over {mode} to {host}"))
        got = sink.wait_for(2)
        assert all(env["tls"] in ("TLSv1.2", "TLSv1.3") and env["login"] == "shop@example.com" for _, env in got)
        # A client that doesn't know the test CA is refused at the handshake.
        with pytest.raises(ssl.SSLCertVerificationError):
            if mode == "tls":
                smtplib.SMTP_SSL("localhost", sink.port, context=ssl.create_default_context(), timeout=10)
            else:
                with smtplib.SMTP("localhost", sink.port, timeout=10) as smtp:
                    smtp.starttls(context=ssl.create_default_context())
    with SmtpSink(tmp_path / "plain") as sink:
        send(sink.port, mail("Plain"))
        assert sink.wait_for(1)[0][1]["tls"] is None


# --- IMAP ---------------------------------------------------------------------------------------------


def test_imap_deliver_fetch_restart_keeps_uidvalidity(imap_server: Imap):
    mails = [make_mail(f"Mail {i}", body=f"Body number {i}") for i in (1, 2, 3)]
    uids = [imap_server.deliver(raw) for raw in mails]
    assert uids == [1, 2, 3], "UIDs follow arrival order"

    client = imap_server.connect()
    try:
        typ, data = client.select("INBOX")
        assert typ == "OK" and int(data[0]) == 3
        typ, data = client.uid("FETCH", "1:*", "(BODY.PEEK[])")
        assert typ == "OK"
        bodies = [item[1] for item in data if isinstance(item, tuple)]
        assert bodies == mails, "the server hands back exactly the bytes delivered"
        typ, data = client.uid("SEARCH", None, "UNSEEN")
        assert data[0].split() == [b"1", b"2", b"3"], "BODY.PEEK[] leaves the mail unread"
    finally:
        client.logout()

    validity = imap_server.uidvalidity()
    assert validity > 0
    imap_server.stop()
    with pytest.raises(ConnectionRefusedError):
        imap_server.connect()
    imap_server.start()
    assert imap_server.uidvalidity() == validity, "UIDVALIDITY survives a restart"
    assert [(uid, raw) for uid, raw, _ in imap_server.fetch_all()] == list(zip(uids, mails))
    assert imap_server.deliver(make_mail("Mail 4")) == 4


def test_imap_set_uidvalidity(imap_server: Imap):
    imap_server.deliver(make_mail("Before the change"))
    old = imap_server.uidvalidity()
    imap_server.set_uidvalidity(old + 1000)
    assert imap_server.uidvalidity() == old + 1000
    assert imap_server.status()["MESSAGES"] == 1


def test_imap_rejects_a_wrong_password(imap_server: Imap):
    import imaplib

    client = imaplib.IMAP4("127.0.0.1", imap_server.port, timeout=10)
    try:
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            client.login(imap_server.user, "wrong-pw")
    finally:
        client.shutdown()


def test_imap_with_tls_offers_starttls_and_imaps(tmp_path):
    import imaplib
    import ssl

    from mailservers import ServerUnavailable, TestCA

    ca = TestCA(tmp_path / "ca")
    trusting = ssl.create_default_context(cafile=str(ca.bundle))
    try:
        server = Imap(ssl="yes", cert=ca.server_chain, key=ca.server_key)
    except ServerUnavailable as e:
        pytest.skip(str(e))
    with server:
        assert server.imaps_port not in (None, server.port)
        server.deliver(make_mail("Over TLS"))
        for host in ("localhost", "127.0.0.1"):
            client = imaplib.IMAP4_SSL(host, server.imaps_port, ssl_context=trusting, timeout=10)
            client.login(server.user, server.password)
            assert client.select("INBOX", readonly=True) == ("OK", [b"1"])
            client.logout()
            client = imaplib.IMAP4(host, server.port, timeout=10)
            assert "STARTTLS" in client.capabilities
            client.starttls(trusting)
            client.login(server.user, server.password)
            assert client.select("INBOX", readonly=True) == ("OK", [b"1"])
            client.logout()
        logins = [line for line in server.log.read_text().splitlines() if "Login: user=" in line]
        assert sum(", TLS," in line for line in logins) == 4, logins
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.imaps_port), timeout=2).close()


def test_imap_without_tls_offers_no_starttls(imap_server: Imap):
    import imaplib

    assert imap_server.imaps_port is None
    client = imaplib.IMAP4("127.0.0.1", imap_server.port, timeout=10)
    try:
        assert "STARTTLS" not in client.capabilities
    finally:
        client.shutdown()


# --- keychain -----------------------------------------------------------------------------------------


def test_keyring_store_and_lookup(keyring_env):
    import subprocess

    assert keyring_env.lookup("shopdesk", "a@b") is None, "a fresh keyring is empty"
    subprocess.run(["secret-tool", "store", "--label", "x", "service", "shopdesk", "username", "a@b"],
                   input="pässword 1".encode(), env=keyring_env, check=True, timeout=20)
    assert keyring_env.lookup("shopdesk", "a@b") == "pässword 1"
    assert keyring_env.lookup("shopdesk", "other@b") is None
    assert keyring_env.keyring_file.exists(), "kept in this test's own XDG_DATA_HOME"
    assert keyring_env["XDG_DATA_HOME"] in str(keyring_env.keyring_file)


def test_keyring_sessions_do_not_share_secrets(keyring_env):
    """Runs after the test above on the same D-Bus session: its secret must be gone."""
    assert keyring_env.lookup("shopdesk", "a@b") is None
    keyring_env.store("shopdesk", "shop@example.com", "pw-2")
    assert keyring_env.lookup("shopdesk", "shop@example.com") == "pw-2"


def test_free_port_is_free():
    port = free_port()
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0


def test_keyring_replaces_a_daemon_the_bus_auto_started(tmp_path):
    """A Secret Service client in a test without keyring_env makes the bus start gnome-keyring-daemon from
    its activation file; that daemon must not block the next test's keyring."""
    import subprocess

    from mailservers import _process_name, keyring_session, secrets_owner_pid

    # Keep the auto-started daemon out of the real HOME: activated services get this environment.
    home = tmp_path / "activated-home"
    (home / "data").mkdir(parents=True)
    subprocess.run(
        ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
         "org.freedesktop.DBus.UpdateActivationEnvironment",
         f"dict:string:string:HOME,{home},XDG_DATA_HOME,{home / 'data'},XDG_CACHE_HOME,{home / 'cache'}"],
        check=True, capture_output=True, timeout=10,
    )
    done = subprocess.run(["secret-tool", "lookup", "service", "shopdesk", "username", "a@b"],
                          capture_output=True, timeout=20)
    assert done.returncode == 1 and done.stdout == b""
    stale = secrets_owner_pid()
    assert stale is not None and _process_name(stale) == "gnome-keyring-d", "the bus auto-started the daemon"

    with pytest.raises(RuntimeError, match="already owned"):
        keyring_session(tmp_path / "strict")
    with keyring_session(tmp_path / "fresh", replace_stale=True) as kr:
        assert kr.pid != stale and secrets_owner_pid() == kr.pid
        kr.store("shopdesk", "shop@example.com", "pw-3")
        assert kr.lookup("shopdesk", "shop@example.com") == "pw-3"
    assert secrets_owner_pid() is None, "stop() frees the bus name"
