"""SMTP sink for the mail tests: accepts any mail (and any AUTH login, unless --reject-auth) and saves it.
usage: smtp_sink.py OUT_DIR PORT [--reject-auth] [--tls none|starttls|tls --cert PEM --key PEM]

--tls starttls offers STARTTLS and refuses MAIL/AUTH before it (require_starttls); --tls tls speaks TLS
from the first byte (implicit TLS, "SMTPS"). PEM is a certificate chain (server first) and its key.

Every message becomes OUT_DIR/NNNN.eml (the raw DATA bytes, CRLF kept) and OUT_DIR/NNNN.json (envelope:
mail_from, rcpt_tos, the AUTH login/password/mechanism or null, the EHLO name, the TLS version the mail came
over or null). The .json is written last,
by rename, so a reader that sees it finds the .eml complete. Numbering continues after what OUT_DIR already
holds, so a restarted sink never overwrites. Every AUTH attempt is also appended to OUT_DIR/auth.jsonl.
Prints "ready" once listening; SIGTERM/SIGINT stop it and free the port at once.
See /work/shared/TESTING-ON-LINUX.md section 5.
"""

import argparse
import json
import os
import re
import signal
import ssl
import sys
import threading
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

warnings.filterwarnings("ignore", category=DeprecationWarning)  # Session.login_data, harmless

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("port", type=int)
parser.add_argument("--reject-auth", action="store_true")
parser.add_argument("--tls", choices=("none", "starttls", "tls"), default="none")
parser.add_argument("--cert")
parser.add_argument("--key")
args = parser.parse_args()
OUT, PORT, REJECT_AUTH = args.out, args.port, args.reject_auth
os.makedirs(OUT, exist_ok=True)
lock = threading.Lock()


def next_number() -> int:
    taken = [int(m.group(1)) for f in os.listdir(OUT) if (m := re.fullmatch(r"(\d{4,})\.(eml|json)", f))]
    return max(taken, default=0) + 1


def write_atomically(path: str, data: bytes) -> None:
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.replace(path + ".tmp", path)


def text(b):
    return b.decode("utf-8", "replace") if isinstance(b, (bytes, bytearray)) else b


def tls_version(server) -> str | None:
    """"TLSv1.3" etc. when this connection is encrypted (implicit TLS or after STARTTLS), else None."""
    ssl_object = server.transport.get_extra_info("ssl_object") if server.transport else None
    return ssl_object.version() if ssl_object else None


class Sink:
    async def handle_DATA(self, server, session, envelope):
        auth = session.auth_data if isinstance(session.auth_data, LoginPassword) else None
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "login": auth and text(auth.login),
            "password": auth and text(auth.password),
            "mechanism": getattr(session, "shopdesk_mechanism", None),
            "ehlo": session.host_name,
            "tls": tls_version(server),
        }
        with lock:
            base = os.path.join(OUT, f"{next_number():04d}")
            write_atomically(base + ".eml", envelope.original_content)
            write_atomically(base + ".json", json.dumps(record).encode())
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    session.shopdesk_mechanism = mechanism
    if isinstance(auth_data, LoginPassword):
        entry = {"mechanism": mechanism, "login": text(auth_data.login), "password": text(auth_data.password),
                 "accepted": not REJECT_AUTH}
    else:
        entry = {"mechanism": mechanism, "login": None, "password": None, "accepted": not REJECT_AUTH}
    with lock, open(os.path.join(OUT, "auth.jsonl"), "a") as f:
        f.write(json.dumps(entry) + "\n")
    if REJECT_AUTH:  # handled=False: aiosmtpd itself answers "535 5.7.8 Authentication credentials invalid"
        return AuthResult(success=False, handled=False)
    return AuthResult(success=True, auth_data=auth_data)


stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
signal.signal(signal.SIGINT, lambda *_: stop.set())
tls = {}
if args.tls != "none":
    if not (args.cert and args.key):
        parser.error(f"--tls {args.tls} needs --cert and --key")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    # starttls: MAIL, RCPT and AUTH before STARTTLS get "530 Must issue a STARTTLS command first".
    tls = {"tls_context": context, "require_starttls": True} if args.tls == "starttls" else {"ssl_context": context}
ctl = Controller(Sink(), hostname="127.0.0.1", port=PORT, authenticator=authenticator, auth_require_tls=False,
                 **tls)
ctl.start()
print("ready", flush=True)
try:
    while not stop.wait(3600):
        pass
finally:
    ctl.stop()
