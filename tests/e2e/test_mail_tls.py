"""Email in and out over real TLS, through the `shopdesk` command line: the aiosmtpd sink and the throw-away
Dovecot with a certificate from a throw-away CA (mailservers.TestCA), and the command line trusting that CA
through SSL_CERT_FILE. On Linux, rustls-platform-verifier reads the trusted roots with rustls-native-certs,
which takes SSL_CERT_FILE / SSL_CERT_DIR instead of the system's roots when either is set: the CA alone is
enough (no system bundle needed), and with neither set the system's roots apply, which don't know the test
CA; an empty or missing SSL_CERT_FILE leaves no roots at all. The host is `localhost` unless a test says
otherwise: the certificate names localhost and 127.0.0.1, and both work as --smtp-host / --imap-host.

What fails and how (kept in the assertions below): a certificate the command line doesn't trust stops the
send before any AUTH or mail goes out, over implicit TLS and STARTTLS alike, and the reply stays in the outbox;
STARTTLS asked for and not offered is refused, never sent in plain text (SMTP and IMAP).
"""

from __future__ import annotations

import time

import pytest

from mailservers import IMAP_PASSWORD, IMAP_USER, Imap, ServerUnavailable, SmtpSink, TestCA, make_mail
from conftest import cli_binary
from test_mail_cli import SMTP_PASSWORD, Shop, parsed


@pytest.fixture
def ca(tmp_path) -> TestCA:
    try:
        return TestCA(tmp_path / "ca")
    except ServerUnavailable as e:
        pytest.skip(str(e))


def make_shop(tmp_path, bundle=None, subdir: str = "tls") -> Shop:
    """A shop whose command line trusts exactly `bundle` (None: SSL_CERT_FILE and SSL_CERT_DIR unset, so the
    system's roots)."""
    assert cli_binary().exists(), f"build the command line first: cargo build -p shopdesk-cli ({cli_binary()})"
    (tmp_path / subdir).mkdir()
    shop = Shop(tmp_path / subdir, {})
    for var in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
        shop.env.pop(var, None)
    if bundle is not None:
        shop.env["SSL_CERT_FILE"] = str(bundle)
    return shop


@pytest.fixture
def shop(tmp_path, ca, keyring_env) -> Shop:
    """A shop trusting the test CA and nothing else."""
    return make_shop(tmp_path, ca.bundle)


@pytest.fixture
def tls_sink(tmp_path, ca, request):
    """SmtpSink(tls=request.param) with the test CA's certificate."""
    sink = SmtpSink(tmp_path / "smtp", tls=request.param, cert=ca.server_chain, key=ca.server_key).start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def tls_imap(ca):
    """Dovecot with STARTTLS on .port and implicit TLS on .imaps_port, the test CA's certificate."""
    try:
        server = Imap(ssl="yes", cert=ca.server_chain, key=ca.server_key)
    except ServerUnavailable as e:
        pytest.skip(str(e))
    try:
        yield server.start()
    finally:
        server.close()


def setup_smtp(shop: Shop, host: str, port: int, security: str) -> None:
    shop.run("mail", "setup", "--from-name", "Costa Ceramics", "--from-address", "shop@example.com",
             "--smtp-host", host, "--smtp-port", str(port), "--smtp-security", security,
             "--signature", "Costa Ceramics", "--acknowledge", "false")
    shop.save_password(SMTP_PASSWORD)


def setup_imap(shop: Shop, host: str, port: int, security: str) -> None:
    shop.run("mail", "setup", "--from-address", "shop@example.com", "--username", IMAP_USER, "--imap-host", host,
             "--imap-port", str(port), "--imap-security", security, "--acknowledge", "false")
    shop.save_password(IMAP_PASSWORD)


def queue_reply(shop: Shop, text: str = "It left our workshop today.") -> None:
    shop.run("case", "open", "--new-name", "Ana", "--new-email", "ana@example.org", "--subject", "Parcel",
             "--channel", "email", "--text", "Where is it?")
    shop.run("case", "reply", "1001", "--text", text)


# --- (a), (b) sending over TLS ------------------------------------------------------------------------


@pytest.mark.parametrize("tls_sink, security", [("tls", "tls"), ("starttls", "starttls")],
                         ids=["implicit-tls", "starttls"], indirect=["tls_sink"])
@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_a_reply_goes_out_over_tls(shop, tls_sink, security, host):
    setup_smtp(shop, host, tls_sink.port, security)
    queue_reply(shop)
    out = shop.run("mail", "send").stdout
    assert "Sent 1 emails" in out, out
    (raw, envelope), = tls_sink.wait_for(1)
    assert envelope["tls"] in ("TLSv1.2", "TLSv1.3"), envelope
    assert (envelope["login"], envelope["password"]) == ("shop@example.com", SMTP_PASSWORD), "logged in after TLS"
    assert envelope["rcpt_tos"] == ["ana@example.org"]
    assert parsed(raw)["Subject"] == "Re: Parcel [#1001]"
    assert shop.json("mail", "outbox")[0]["delivery"]["state"] == "sent"


def test_ssl_cert_file_with_the_test_ca_alone_or_with_the_system_roots(tmp_path, ca, keyring_env):
    """SSL_CERT_FILE replaces the system's roots rather than adding to them: a bundle of the test CA and the
    system's roots works as well as the test CA alone."""
    sink = SmtpSink(tmp_path / "smtp", tls="tls", cert=ca.server_chain, key=ca.server_key).start()
    try:
        for n, bundle in enumerate([ca.bundle, ca.bundle_with_system], start=1):
            shop = make_shop(tmp_path, bundle, subdir=f"shop{n}")
            setup_smtp(shop, "localhost", sink.port, "tls")
            queue_reply(shop)
            assert "Sent 1 emails" in shop.run("mail", "send").stdout
            sink.wait_for(n)
    finally:
        sink.stop()


# --- (c), (d) fetching over TLS -----------------------------------------------------------------------


@pytest.mark.parametrize("security", ["tls", "starttls"])
@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_new_mail_is_fetched_over_tls(shop, tls_imap, security, host):
    port = tls_imap.imaps_port if security == "tls" else tls_imap.port
    setup_imap(shop, host, port, security)
    tls_imap.deliver(make_mail("Broken teapot", "It arrived in pieces.", sender="chloe@example.fr",
                               message_id="<chloe-1@example.fr>"))
    report = shop.json("mail", "fetch")
    assert (report["fetched"], report["new_cases"]) == (1, 1), report
    assert [m["message_id"] for m in shop.messages()] == ["chloe-1@example.fr"]
    # Dovecot's log says how each login came: "TLS" for implicit TLS and after STARTTLS alike.
    logins = [line for line in tls_imap.log.read_text().splitlines() if "Login: user=<test@example.com>" in line]
    shop_login = logins[-1]
    assert ", TLS," in shop_login, shop_login
    assert shop.json("mail", "fetch")["fetched"] == 0


# --- (e) a certificate the command line doesn't trust --------------------------------------------------


@pytest.mark.parametrize("trust", ["system-roots", "empty-bundle"])
def test_an_untrusted_certificate_keeps_the_reply_and_says_why(tmp_path, ca, keyring_env, trust):
    """The server's certificate comes from a CA the command line doesn't know: the system's roots only
    (SSL_CERT_FILE unset, as on a shop owner's computer) or no roots at all (an empty SSL_CERT_FILE)."""
    shop = make_shop(tmp_path, None if trust == "system-roots" else ca.empty_bundle)
    sink = SmtpSink(tmp_path / "smtp", tls="tls", cert=ca.server_chain, key=ca.server_key).start()
    try:
        setup_smtp(shop, "localhost", sink.port, "tls")
        queue_reply(shop)
        out = shop.run("mail", "send").stdout
        assert "Sent 0 emails" in out, out
        (entry,) = shop.json("mail", "outbox")
        error = entry["delivery"]["last_error"]
        assert error in out, "the reason is shown as it is stored"
        assert "localhost" in error, error
        if trust == "system-roots":
            assert error.startswith(f"A secure connection to localhost:{sink.port} failed"), error
            assert "invalid peer certificate: UnknownIssuer" in error, error
        else:
            # Mailer::new fails before connecting: "TLS can't be set up for localhost: tls error: unexpected
            # error: No CA certificates were loaded from the system".
            assert error.startswith("TLS can't be set up for localhost") and "No CA certificates" in error, error
        # The reply stays in the outbox, readable, and is not delivered in any form.
        assert entry["delivery"]["state"] in ("queued", "held"), entry
        assert shop.messages()[-1]["body"].startswith("It left our workshop today."), shop.messages()
        assert sink.messages() == []
        assert sink.auth_attempts() == [], "no password went to a server whose certificate failed"
        # Once the owner's computer trusts the server, a retry sends it, once.
        shop.env["SSL_CERT_FILE"] = str(ca.bundle)
        shop.run("mail", "retry", entry["message_id"])
        assert "Sent 1 emails" in shop.run("mail", "send").stdout
        sink.wait_for(1)
        assert shop.json("mail", "outbox")[0]["delivery"]["state"] == "sent"
    finally:
        sink.stop()


@pytest.mark.parametrize("security", ["tls", "starttls"])
@pytest.mark.parametrize("problem", ["unknown-ca", "other-name"])
def test_a_certificate_failure_is_worded_as_one_and_held(tmp_path, ca, keyring_env, security, problem):
    if problem == "unknown-ca":
        shop, (cert, key) = make_shop(tmp_path, None), (ca.server_chain, ca.server_key)
    else:
        shop, (cert, key) = make_shop(tmp_path, ca.bundle), ca.issue("other", ["DNS:mail.example.test"])
    sink = SmtpSink(tmp_path / "smtp", tls=security, cert=cert, key=key).start()
    try:
        setup_smtp(shop, "localhost", sink.port, security)
        queue_reply(shop)
        out = shop.run("mail", "send").stdout
        assert "Sent 0 emails" in out, out
        assert sink.messages() == [] and sink.auth_attempts() == []
        (entry,) = shop.json("mail", "outbox")
        error = entry["delivery"]["last_error"]
        assert error.startswith(f"A secure connection to localhost:{sink.port} failed"), error
        assert "certificate" in error and "Check the security setting" in error, error
        assert "Could not reach" not in error, error
        assert entry["delivery"]["state"] == "held", entry
    finally:
        sink.stop()


def test_an_untrusted_imap_certificate_says_so(tmp_path, ca, keyring_env, tls_imap):
    shop = make_shop(tmp_path, None)
    setup_imap(shop, "localhost", tls_imap.imaps_port, "tls")
    tls_imap.deliver(make_mail("Hello", message_id="<h-1@example.org>"))
    logins_before = tls_imap.log.read_text().count("Login: user=")
    proc = shop.run("mail", "fetch", check=False)
    assert proc.returncode == 1, proc.stdout
    assert f"A secure connection to localhost:{tls_imap.imaps_port} failed" in proc.stderr, proc.stderr
    assert "certificate" in proc.stderr.lower(), proc.stderr
    assert shop.messages() == []
    assert tls_imap.log.read_text().count("Login: user=") == logins_before, "the shop did not log in"


# --- (f) STARTTLS asked for, not offered: no fallback to plain text ------------------------------------


def test_smtp_starttls_is_not_dropped_when_the_server_does_not_offer_it(shop, smtp_sink):
    """smtp_sink speaks plain text only (no STARTTLS in its EHLO reply)."""
    setup_smtp(shop, "localhost", smtp_sink.port, "starttls")
    queue_reply(shop)
    out = shop.run("mail", "send").stdout
    assert "Sent 0 emails" in out, out
    (entry,) = shop.json("mail", "outbox")
    # Held for the owner: trying again unchanged would be refused the same way.
    assert entry["delivery"]["state"] == "held", entry
    error = entry["delivery"]["last_error"]
    assert f"localhost:{smtp_sink.port}" in error and "STARTTLS is not supported" in error, error
    assert "Sent 0 emails" in shop.run("mail", "send", offset=7200).stdout
    time.sleep(0.3)
    assert smtp_sink.messages() == [], "the reply went in plain text"
    assert smtp_sink.auth_attempts() == [], "the password went in plain text"


def test_imap_starttls_is_not_dropped_when_the_server_does_not_offer_it(shop, imap_server):
    """imap_server has ssl = no: no STARTTLS capability, and STARTTLS answered with BAD."""
    setup_imap(shop, "localhost", imap_server.port, "starttls")
    imap_server.deliver(make_mail("Hello", message_id="<h-1@example.org>"))
    proc = shop.run("mail", "fetch", check=False)
    assert proc.returncode == 1, proc.stdout
    assert f"The mail server localhost:{imap_server.port} refused STARTTLS" in proc.stderr, proc.stderr
    assert shop.messages() == []
    logins = [line for line in imap_server.log.read_text().splitlines() if "Login: user=" in line]
    assert len(logins) == 1, f"only the test's own delivery logged in, not the shop: {logins}"
