"""Real mail servers and a real keychain for the tests, each started fresh per test.

- SmtpSink: an aiosmtpd server (smtp_sink.py) that accepts every mail and any AUTH login and records both;
  plain text by default, or STARTTLS / implicit TLS with a TestCA certificate.
- HangingSmtp: accepts TCP connections and never greets (hanging_smtp.py), for timeout tests.
- Imap: a throw-away Dovecot 2.3 (start_imap.sh), user test@example.com / test-pw, plain text by default,
  or with STARTTLS and an imaps port using a TestCA certificate.
- TestCA: a throw-away certificate authority (openssl CLI) and a server certificate for localhost and
  127.0.0.1; point SSL_CERT_FILE at its bundle for the program under test to trust it.
- keyring_session(): gnome-keyring-daemon owning org.freedesktop.secrets on the current D-Bus session.

Usable standalone (python -c 'from mailservers import *; ...') and as the pytest fixtures `smtp_sink`,
`imap_server` and `keyring_env` in conftest.py. Everything listens on 127.0.0.1, on free high ports.
Recipes, timings and error messages: /work/shared/TESTING-ON-LINUX.md sections 3-5.
"""

from __future__ import annotations

import grp
import imaplib
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

IMAP_USER = "test@example.com"
IMAP_PASSWORD = "test-pw"
KEYRING_PASSWORD = "test-pw"


class ServerUnavailable(RuntimeError):
    """The server can't run on this machine (missing package, unsupported version): a skip, not a failure."""


def free_port() -> int:
    """A TCP port nothing listens on right now (bind to port 0, read it, close)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((host, port)) == 0


def wait_port_closed(port: int, timeout: float = 10) -> None:
    """Until nothing accepts on the port (child processes can outlive their parent for a moment)."""
    end = time.monotonic() + timeout
    while port_open(port):
        if time.monotonic() > end:
            raise TimeoutError(f"port {port} still accepts connections {timeout}s after the server stopped")
        time.sleep(0.05)


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _read_ready(proc: subprocess.Popen, timeout: float, what: str, log: Path) -> None:
    """Waits for the child's "ready" line on stdout."""
    result: list[str] = []
    reader = threading.Thread(target=lambda: result.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    line = result[0].strip() if result else None
    if line == "ready":
        return
    proc.kill()
    proc.wait(5)
    why = "timed out" if line is None else f"said {line!r}" if line else f"exited with {proc.returncode}"
    raise RuntimeError(f"{what} did not start ({why}); log {log}:\n{_tail(log)}")


def _stop_process(proc: subprocess.Popen | None, timeout: float = 10) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


# --- TLS ----------------------------------------------------------------------------------------------

SYSTEM_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


def _openssl(*args: str, cwd: Path) -> None:
    done = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")


class TestCA:
    """A throw-away certificate authority made with the openssl CLI (a dependency of dovecot-core, so
    `scripts/setup.sh test` brings it), in `dir`:

    - ca.pem / ca.key: the CA (ECDSA P-256, CA:TRUE, keyCertSign), valid for 30 days from now;
    - server.pem / server.key: a server certificate it signed, subjectAltName DNS:localhost and
      IP:127.0.0.1 (override with names=), serverAuth; server-chain.pem is server.pem + ca.pem;
    - bundle.pem: the CA alone, for SSL_CERT_FILE (rustls-platform-verifier reads SSL_CERT_FILE through
      rustls-native-certs on Linux, and the CA alone is enough: see test_mail_tls.py);
    - bundle-with-system.pem: the CA plus /etc/ssl/certs/ca-certificates.crt (when present);
    - empty.pem: an empty file, for "trusts nothing".

    issue(name, names) makes more server certificates (another name, one the client won't expect).
    Every file is world-readable, the keys included: these are test keys, and Dovecot's processes
    (root at start, then the 'dovecot' user) and the SMTP sink must all read them.
    """

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, dir: str | os.PathLike, names: tuple[str, ...] = ("DNS:localhost", "IP:127.0.0.1")):
        if not shutil.which("openssl"):
            raise ServerUnavailable("the openssl command is not installed (run scripts/setup.sh test)")
        self.dir = Path(dir).resolve()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.cert = self.dir / "ca.pem"
        self.key = self.dir / "ca.key"
        _openssl("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", "ca.key", "-out", "ca.pem", "-days", "30", "-subj", "/CN=Shopdesk Test CA",
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                 "-addext", "subjectKeyIdentifier=hash", cwd=self.dir)
        self.server_cert, self.server_key = self.issue("server", names)
        self.server_chain = self.dir / "server-chain.pem"
        self.server_chain.write_bytes(self.server_cert.read_bytes() + self.cert.read_bytes())
        self.bundle = self.dir / "bundle.pem"
        shutil.copy(self.cert, self.bundle)
        self.bundle_with_system = self.dir / "bundle-with-system.pem"
        system = SYSTEM_CA_BUNDLE.read_bytes() if SYSTEM_CA_BUNDLE.exists() else b""
        self.bundle_with_system.write_bytes(self.cert.read_bytes() + b"\n" + system)
        self.empty_bundle = self.dir / "empty.pem"
        self.empty_bundle.write_bytes(b"")
        self.dir.chmod(0o755)
        for f in self.dir.iterdir():
            f.chmod(0o644)

    def issue(self, name: str, names: tuple[str, ...] | list[str]) -> tuple[Path, Path]:
        """A server certificate signed by this CA for the subjectAltNames given ("DNS:x", "IP:1.2.3.4"):
        returns (name.pem, name.key)."""
        cert, key, csr, ext = (self.dir / f"{name}{s}" for s in (".pem", ".key", ".csr", ".ext"))
        ext.write_text(
            "basicConstraints=critical,CA:FALSE\n"
            "keyUsage=critical,digitalSignature\n"
            "extendedKeyUsage=serverAuth\n"
            f"subjectAltName={','.join(names)}\n"
            "subjectKeyIdentifier=hash\n"
            "authorityKeyIdentifier=keyid\n"
        )
        cn = names[0].split(":", 1)[1] if names else name
        _openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", key.name, "-out", csr.name, "-subj", f"/CN={cn}", cwd=self.dir)
        _openssl("x509", "-req", "-in", csr.name, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                 "-days", "30", "-sha256", "-extfile", ext.name, "-out", cert.name, cwd=self.dir)
        cert.chmod(0o644)
        key.chmod(0o644)
        return cert, key

    def env(self, bundle: Path | None = None) -> dict[str, str]:
        """Environment for a client that should trust this CA (and nothing else unless bundle says so).
        SSL_CERT_DIR must be absent from the client's environment: rustls-native-certs reads both it and
        SSL_CERT_FILE when either is set, and the system's roots only when neither is."""
        return {"SSL_CERT_FILE": str(bundle or self.bundle)}


# --- SMTP ---------------------------------------------------------------------------------------------


class SmtpSink:
    """SMTP on 127.0.0.1:port, AUTH PLAIN/LOGIN accepted with any login (or refused with
    reject_auth=True) and recorded. Mail lands in `dir` as NNNN.eml + NNNN.json (see smtp_sink.py).

    tls="none" (default): plain text only. tls="starttls": offers STARTTLS and requires it before MAIL and
    AUTH. tls="tls": implicit TLS from the first byte. Both need cert (a PEM chain, server first) and key,
    e.g. TestCA.server_chain and TestCA.server_key; the envelope's "tls" says which TLS version a mail came
    over (None in plain text).

    stop() frees the port at once and start() brings it back on the same port with the mail kept:
    "the server was down, then came back".
    """

    def __init__(self, dir: str | os.PathLike, port: int | None = None, reject_auth: bool = False,
                 tls: str = "none", cert: str | os.PathLike | None = None, key: str | os.PathLike | None = None):
        if tls not in ("none", "starttls", "tls"):
            raise ValueError(f"tls must be none, starttls or tls, not {tls!r}")
        if tls != "none" and not (cert and key):
            raise ValueError(f"SmtpSink(tls={tls!r}) needs cert= and key=")
        self.dir = Path(dir)
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.reject_auth = reject_auth
        self.tls = tls
        self.cert = cert
        self.key = key
        self._proc: subprocess.Popen | None = None
        self._log = None

    def start(self, timeout: float = 15) -> "SmtpSink":
        if self.running:
            return self
        self.dir.mkdir(parents=True, exist_ok=True)
        log = self.dir / "sink.log"
        self._log = open(log, "ab")
        args = [sys.executable, str(HERE / "smtp_sink.py"), str(self.dir), str(self.port)]
        if self.reject_auth:
            args.append("--reject-auth")
        if self.tls != "none":
            args += ["--tls", self.tls, "--cert", str(self.cert), "--key", str(self.key)]
        self._proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._log, stdin=subprocess.DEVNULL,
                                      text=True)
        _read_ready(self._proc, timeout, f"SMTP sink on port {self.port}", log)
        return self

    def stop(self) -> None:
        _stop_process(self._proc)
        self._proc = None
        if self._log is not None:
            self._log.close()
            self._log = None
        wait_port_closed(self.port)

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def messages(self) -> list[tuple[bytes, dict]]:
        """Every mail received so far, in arrival order: (raw bytes as sent in DATA, envelope), where
        envelope = {mail_from, rcpt_tos, login, password, mechanism, ehlo, tls} (login etc. None without
        AUTH, tls None in plain text)."""
        out = []
        for meta in sorted(self.dir.glob("[0-9][0-9][0-9][0-9]*.json")):
            out.append((meta.with_suffix(".eml").read_bytes(), json.loads(meta.read_text())))
        return out

    def auth_attempts(self) -> list[dict]:
        """Every AUTH the server saw, in order: {mechanism, login, password, accepted}."""
        path = self.dir / "auth.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def wait_for(self, n: int, timeout: float = 10) -> list[tuple[bytes, dict]]:
        """Polls until at least n mails arrived; returns all of them. TimeoutError says how many came."""
        end = time.monotonic() + timeout
        while True:
            got = self.messages()
            if len(got) >= n:
                return got
            if time.monotonic() > end:
                raise TimeoutError(f"SMTP sink on port {self.port}: {len(got)} of {n} mails after {timeout}s")
            time.sleep(0.05)

    def __enter__(self) -> "SmtpSink":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class HangingSmtp:
    """Accepts connections on 127.0.0.1:port and never sends the 220 greeting."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self._proc: subprocess.Popen | None = None

    def start(self, timeout: float = 10) -> "HangingSmtp":
        if self._proc is not None and self._proc.poll() is None:
            return self
        self._proc = subprocess.Popen([sys.executable, str(HERE / "hanging_smtp.py"), str(self.port)],
                                      stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        _read_ready(self._proc, timeout, f"hanging SMTP server on port {self.port}", Path("/dev/null"))
        return self

    def stop(self) -> None:
        _stop_process(self._proc)
        self._proc = None
        wait_port_closed(self.port)

    def __enter__(self) -> "HangingSmtp":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# --- IMAP ---------------------------------------------------------------------------------------------


def dovecot_version() -> str | None:
    exe = shutil.which("dovecot")
    if not exe:
        return None
    return subprocess.run([exe, "--version"], capture_output=True, text=True, check=True).stdout.split()[0]


def imap_unavailable_reason() -> str | None:
    """Why Imap can't run here (for pytest.skip), or None."""
    version = dovecot_version()
    if version is None:
        return "dovecot is not installed (run scripts/setup.sh test)"
    if not version.startswith("2.3."):
        return f"Dovecot {version} is installed; start_imap.sh writes 2.3 config syntax only (2.4 renamed settings)"
    if os.geteuid() != 0:
        return "the throw-away Dovecot needs root (it drops to the users 'dovecot' and 'nobody')"
    return None


_APPENDUID = re.compile(rb"\[APPENDUID (\d+) (\d+)\]")


class Imap:
    """A throw-away Dovecot 2.3 on 127.0.0.1:port: user IMAP_USER / IMAP_PASSWORD, LOGIN in plain text,
    no TLS, Maildir in dir/mail. Mail and UIDVALIDITY survive stop()/start().

    TLS: ssl="yes" offers STARTTLS on `port` (a plain-text login stays allowed) and implicit TLS on
    `imaps_port` (a second free port); ssl="required" the same, but no login before TLS (Dovecot's
    `ssl = required`). Both need cert (a PEM chain, server first) and key, e.g. TestCA.server_chain and
    TestCA.server_key; the master reads them as root at start. ssl="no" (default) has no imaps listener and
    no STARTTLS capability. Note Dovecot counts a connection from its own address as secured: on 127.0.0.1,
    ssl="required" still lets a plain-text LOGIN in (the log says "secured"), so it behaves like "yes" here.

    rawlog=True: Dovecot writes each session's commands and answers to dir/rawlog (`rawlog_dir`; a
    <time>.<pid>.in and .out file per session, the FETCHed bodies included), so a test can count what the
    server really sent; `rawlog_sessions()` lists them.

    Dovecot runs as root and drops to 'dovecot' (auth) and 'nobody' (mail), so `dir` and every parent
    must be world-traversable: pytest's tmp_path is not (/tmp/pytest-of-root is 0700), hence dir=None
    makes a fresh /tmp/shopdesk-imap-* that close() removes.
    """

    user = IMAP_USER
    password = IMAP_PASSWORD

    def __init__(self, dir: str | os.PathLike | None = None, port: int | None = None, ssl: str = "no",
                 cert: str | os.PathLike | None = None, key: str | os.PathLike | None = None,
                 imaps_port: int | None = None, rawlog: bool = False):
        if ssl not in ("no", "yes", "required"):
            raise ValueError(f"ssl must be no, yes or required, not {ssl!r}")
        if ssl != "no" and not (cert and key):
            raise ValueError(f"Imap(ssl={ssl!r}) needs cert= and key=")
        reason = imap_unavailable_reason()
        if reason:
            raise ServerUnavailable(reason)
        self._own_dir = dir is None
        self.dir = Path(tempfile.mkdtemp(prefix="shopdesk-imap-") if dir is None else dir).resolve()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.dir.chmod(0o755)
        for parent in self.dir.parents:
            if not parent.stat().st_mode & 0o001:
                raise RuntimeError(
                    f"Dovecot's users can't reach {self.dir}: {parent} is not world-traversable (o+x). "
                    "Use a directory under /tmp made with tempfile.mkdtemp, or Imap(None)."
                )
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.ssl = ssl
        self.cert = Path(cert).resolve() if cert else None
        self.key = Path(key).resolve() if key else None
        self.imaps_port: int | None = None
        if ssl != "no":
            self.imaps_port = imaps_port or free_port()
            while self.imaps_port == self.port:
                self.imaps_port = free_port()
        self.conf = self.dir / "dovecot.conf"
        self.log = self.dir / "dovecot.log"
        self.rawlog_dir = self.dir / "rawlog" if rawlog else None
        self._proc: subprocess.Popen | None = None
        self._run_dir: str | None = None

    # --- lifecycle -----------------------------------------------------------------------------------
    def start(self, timeout: float = 15) -> "Imap":
        if self.running:
            return self
        # Sockets live in a short dir of their own: a pytest-long path would pass the 108-byte limit.
        self._run_dir = tempfile.mkdtemp(prefix="dc-")
        os.chmod(self._run_dir, 0o755)
        out = open(self.dir / "start.log", "ab")
        env = {k: v for k, v in os.environ.items()
               if k not in ("IMAP_SSL", "IMAP_SSL_CERT", "IMAP_SSL_KEY", "IMAPS_PORT", "IMAP_RAWLOG_DIR")}
        if self.rawlog_dir is not None:
            self.rawlog_dir.mkdir(exist_ok=True)
            shutil.chown(self.rawlog_dir, "nobody", grp.getgrgid(pwd.getpwnam("nobody").pw_gid).gr_name)
            env["IMAP_RAWLOG_DIR"] = str(self.rawlog_dir)
        if self.ssl != "no":
            env.update(IMAP_SSL=self.ssl, IMAP_SSL_CERT=str(self.cert), IMAP_SSL_KEY=str(self.key),
                       IMAPS_PORT=str(self.imaps_port))
        try:
            self._proc = subprocess.Popen(
                ["bash", str(HERE / "start_imap.sh"), str(self.dir), str(self.port), self._run_dir],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
            )
        finally:
            out.close()
        end = time.monotonic() + timeout
        while not (self._greets() and (self.imaps_port is None or port_open(self.imaps_port))):
            if self._proc.poll() is not None or time.monotonic() > end:
                rc = self._proc.poll()
                self._kill()
                why = f"exited with {rc}" if rc is not None else f"no greeting after {timeout}s"
                raise RuntimeError(
                    f"Dovecot on port {self.port} did not start ({why}).\n"
                    f"{self.dir / 'start.log'}:\n{_tail(self.dir / 'start.log')}\n{self.log}:\n{_tail(self.log)}"
                )
            time.sleep(0.03)
        return self

    def _greets(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=2) as s:
                return s.recv(64).startswith(b"* OK")
        except OSError:
            return False

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM to the master (~1.1 s), then until nothing answers on the port any more."""
        if self._proc is not None:
            _stop_process(self._proc, timeout)
            self._proc = None
            wait_port_closed(self.port, timeout)
            if self.imaps_port is not None:
                wait_port_closed(self.imaps_port, timeout)
        if self._run_dir:
            shutil.rmtree(self._run_dir, ignore_errors=True)
            self._run_dir = None

    def _kill(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(5)
        self._proc = None
        # A killed master leaves its children (log, imap-login) holding the port for ~2 s.
        try:
            wait_port_closed(self.port, 10)
            if self.imaps_port is not None:
                wait_port_closed(self.imaps_port, 10)
        except TimeoutError:
            pass

    def close(self) -> None:
        """stop(), and remove the directory if Imap made it."""
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def __enter__(self) -> "Imap":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # --- mail ----------------------------------------------------------------------------------------
    def connect(self) -> imaplib.IMAP4:
        """A logged-in imaplib client (call .logout() when done); plain text even with ssl set (see above)."""
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        client.login(self.user, self.password)
        return client

    def rawlog_sessions(self) -> list[tuple[Path, Path]]:
        """The (.in, .out) rawlog files of every session so far (named <date>-<time>.<pid>.<n>; every
        line starts with its Unix time in microseconds), in name order (needs rawlog=True)."""
        assert self.rawlog_dir is not None, "Imap(rawlog=True) keeps the rawlog"
        ins = sorted(self.rawlog_dir.glob("*.in"))
        return [(i, i.with_suffix(".out")) for i in ins]

    def deliver(self, raw: bytes, mailbox: str = "INBOX", flags: str | None = None) -> int:
        """Puts one mail into the mailbox (IMAP APPEND) and returns its UID."""
        client = self.connect()
        try:
            typ, data = client.append(mailbox, flags, None, raw)
            assert typ == "OK", f"APPEND failed: {data}"
            m = _APPENDUID.search(data[0] or b"")
            assert m, f"no APPENDUID in the APPEND reply {data}"
            return int(m.group(2))
        finally:
            client.logout()

    def doveadm(self, *args: str) -> str:
        """Runs `doveadm -c <this server's config> ARGS` and returns its stdout."""
        done = subprocess.run(["doveadm", "-c", str(self.conf), *args], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"doveadm {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
        return done.stdout

    def set_uidvalidity(self, n: int, mailbox: str = "INBOX") -> None:
        """Changes the mailbox's UIDVALIDITY, as if it had been recreated: every UID a client knew is void."""
        self.doveadm("mailbox", "update", "-u", self.user, "--uid-validity", str(n), mailbox)

    def status(self, mailbox: str = "INBOX") -> dict[str, int]:
        """{MESSAGES, UIDNEXT, UIDVALIDITY, UNSEEN} of the mailbox, over IMAP."""
        client = self.connect()
        try:
            typ, data = client.status(mailbox, "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN)")
            assert typ == "OK", data
            items = re.search(rb"\((.*)\)", data[0]).group(1).split()
            return {k.decode(): int(v) for k, v in zip(items[::2], items[1::2])}
        finally:
            client.logout()

    def uidvalidity(self, mailbox: str = "INBOX") -> int:
        return self.status(mailbox)["UIDVALIDITY"]

    def fetch_all(self, mailbox: str = "INBOX") -> list[tuple[int, bytes, list[str]]]:
        """Every mail in the mailbox as (uid, raw bytes, flags), in UID order, without setting \\Seen."""
        client = self.connect()
        try:
            client.select(mailbox, readonly=True)
            typ, data = client.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
            assert typ == "OK", data
            out = []
            for item in data:
                if not isinstance(item, tuple):
                    continue  # the closing b')' of each message
                head, body = item
                uid = int(re.search(rb"UID (\d+)", head).group(1))
                flags = re.search(rb"FLAGS \(([^)]*)\)", head).group(1).decode().split()
                out.append((uid, body, flags))
            return sorted(out)
        finally:
            client.logout()


# --- keychain -----------------------------------------------------------------------------------------


def _bus_call(method: str, name: str) -> str | None:
    done = subprocess.run(
        ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
         f"org.freedesktop.DBus.{method}", f"string:{name}"],
        capture_output=True, text=True,
    )
    if done.returncode != 0:
        return None
    return done.stdout.strip().splitlines()[-1].split()[-1]


def secrets_owner_pid() -> int | None:
    """PID of the process owning org.freedesktop.secrets on the session bus, or None."""
    pid = _bus_call("GetConnectionUnixProcessID", "org.freedesktop.secrets")
    return int(pid) if pid and pid.isdigit() else None


def _process_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def _private_bus() -> bool:
    """True under dbus-run-session; False on the desktop's own session bus."""
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    return bool(address) and not address.startswith(f"unix:path=/run/user/{os.getuid()}/bus")


class KeyringSession(dict):
    """A gnome-keyring-daemon (secrets component only) on the current D-Bus session with a fresh, unlocked
    login keyring in its own HOME/XDG dirs. The object is the environment (a dict) to start the
    processes under test with: os.environ plus HOME, XDG_DATA_HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME and
    XDG_RUNTIME_DIR of this session. Only DBUS_SESSION_BUS_ADDRESS matters to a Secret Service client, so
    passing a subset is fine too.

    There is one org.freedesktop.secrets per bus: one KeyringSession at a time per D-Bus session.
    """

    def __init__(self, home_dir: str | os.PathLike, password: str = KEYRING_PASSWORD, replace_stale: bool = False):
        home = Path(home_dir).resolve()
        super().__init__(
            os.environ,
            HOME=str(home),
            XDG_DATA_HOME=str(home / "data"),
            XDG_CONFIG_HOME=str(home / "config"),
            XDG_CACHE_HOME=str(home / "cache"),
            XDG_RUNTIME_DIR=str(home / "runtime"),
        )
        self.home = home
        self.password = password
        self.replace_stale = replace_stale
        self.keyring_file = home / "data" / "keyrings" / "login.keyring"
        self.pid: int | None = None
        self._proc: subprocess.Popen | None = None

    def start(self, timeout: float = 10) -> "KeyringSession":
        if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            raise RuntimeError("no D-Bus session: run the tests under `dbus-run-session -- ...`")
        for exe in ("gnome-keyring-daemon", "secret-tool", "dbus-send"):
            if not shutil.which(exe):
                raise ServerUnavailable(f"{exe} is not installed (run scripts/setup.sh test)")
        stale = secrets_owner_pid()
        if stale is not None and self.replace_stale and _private_bus() and _process_name(stale) == "gnome-keyring-d":
            # An earlier test's client woke the bus's activation file (org.freedesktop.secrets.service:
            # gnome-keyring-daemon --start, the bus's HOME, no keyring): it would answer every test after.
            os.kill(stale, signal.SIGTERM)
            end = time.monotonic() + 5
            while (stale := secrets_owner_pid()) is not None and time.monotonic() < end:
                time.sleep(0.02)
        if stale is not None:
            raise RuntimeError(
                f"org.freedesktop.secrets is already owned on this bus by pid {stale} ({_process_name(stale)}): "
                "stop the other keyring session first (one per D-Bus session)"
            )
        for sub in ("data", "config", "cache"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        runtime = self.home / "runtime"
        runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
        runtime.chmod(0o700)
        self._log = open(self.home / "gnome-keyring.log", "ab")
        # --foreground: this process is the daemon, so stop() can end it by PID.
        self._proc = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            env=dict(self), stdin=subprocess.PIPE, stdout=self._log, stderr=subprocess.STDOUT,
        )
        self._proc.stdin.write(self.password.encode())
        self._proc.stdin.close()
        end = time.monotonic() + timeout
        while secrets_owner_pid() != self._proc.pid:
            if self._proc.poll() is not None or time.monotonic() > end:
                rc = self._proc.poll()
                self.stop()
                raise RuntimeError(
                    f"gnome-keyring-daemon did not take org.freedesktop.secrets "
                    f"({'exited with %s' % rc if rc is not None else f'after {timeout}s'}):\n"
                    f"{_tail(self.home / 'gnome-keyring.log')}"
                )
            time.sleep(0.02)
        self.pid = self._proc.pid
        return self

    def stop(self) -> None:
        """Ends the daemon and waits until the bus name is free for the next session."""
        _stop_process(self._proc, 5)
        self._proc = None
        self.pid = None
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None
        end = time.monotonic() + 5
        while secrets_owner_pid() is not None and time.monotonic() < end:
            time.sleep(0.02)

    def lookup(self, service: str, username: str) -> str | None:
        """The secret stored under these attributes (keyring crate: service, username), or None."""
        return self.lookup_attrs(service=service, username=username)

    def lookup_attrs(self, **attributes: str) -> str | None:
        args = [x for kv in attributes.items() for x in kv]
        done = subprocess.run(["secret-tool", "lookup", *args], env=dict(self), capture_output=True, timeout=20)
        if done.returncode == 0:
            return done.stdout.decode()
        if done.stderr.strip():
            raise RuntimeError(f"secret-tool lookup {' '.join(args)}: {done.stderr.decode().strip()}")
        return None  # exit 1, no message: nothing stored

    def store(self, service: str, username: str, secret: str, label: str = "test") -> None:
        """Stores a secret as another program would (secret-tool store)."""
        subprocess.run(["secret-tool", "store", "--label", label, "service", service, "username", username],
                       env=dict(self), input=secret.encode(), check=True, capture_output=True, timeout=20)

    def clear(self, service: str, username: str) -> None:
        subprocess.run(["secret-tool", "clear", "service", service, "username", username],
                       env=dict(self), check=True, capture_output=True, timeout=20)

    def __enter__(self) -> "KeyringSession":
        return self.start() if self.pid is None else self

    def __exit__(self, *exc) -> None:
        self.stop()


def keyring_session(home_dir: str | os.PathLike, password: str = KEYRING_PASSWORD,
                    replace_stale: bool = False) -> KeyringSession:
    """Starts gnome-keyring-daemon --unlock --components=secrets on the current D-Bus session with fresh
    HOME/XDG dirs under home_dir. Returns the env dict for the processes under test, with .lookup(service,
    username) to read a secret back, .store(), .clear() and .stop(). Also a context manager.

    replace_stale=True (the pytest fixture): on a private bus (dbus-run-session, not the desktop's
    /run/user/UID/bus) a gnome-keyring-daemon already owning the name is ended first."""
    return KeyringSession(home_dir, password, replace_stale).start()


# --- sample mail --------------------------------------------------------------------------------------


def make_mail(subject: str, body: str = "Hello", sender: str = "customer@example.org",
              to: str = "shop@example.com", message_id: str | None = None, date: str | None = None) -> bytes:
    """A small plain-text RFC 5322 message with CRLF line ends."""
    from email.utils import formatdate, make_msgid

    lines = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {subject}",
        f"Date: {date or formatdate(localtime=False)}",
        f"Message-ID: {message_id or make_msgid(domain='example.org')}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "",
        body,
    ]
    return ("\r\n".join(lines) + "\r\n").encode()
