"""Drives the real Shopdesk app (debug build, UI embedded) over WebDriver: tauri-driver + WebKitWebDriver.

Each test gets its own XDG data/config/cache dirs and its own tauri-driver on free ports, so tests can't
see each other's database. Run under Xvfb and a D-Bus session (scripts/test.sh does); see
/work/shared/TESTING-ON-LINUX.md section 1 for why each step below is there.
"""

from __future__ import annotations

import faulthandler
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.remote.client_config import ClientConfig
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from helpers import text_of
from mailservers import Imap, KeyringSession, ServerUnavailable, SmtpSink, keyring_session

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "reliability"))
from proctree import process_tree  # noqa: E402  (shared with the reliability suite and the benchmarks)

ARTIFACTS = Path(os.environ.get("SHOPDESK_ARTIFACTS", ROOT / "artifacts"))
TIMEOUT = float(os.environ.get("SHOPDESK_E2E_TIMEOUT", "10"))
# The longest one test may run, set-up and tear-down included. The slowest take about a minute on a
# loaded machine; one that runs this long is hung (see hang_guard).
TEST_AT_MOST = float(os.environ.get("SHOPDESK_E2E_TEST_AT_MOST", "300"))


def save_backtrace(pid: int, name: str, frames: int, timeout: float) -> None:
    """gdb's backtrace of every thread of pid, into ARTIFACTS/name (nothing without gdb)."""
    if not shutil.which("gdb"):
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        trace = subprocess.run(["gdb", "-p", str(pid), "-batch", "-ex", f"thread apply all bt {frames}"],
                               capture_output=True, text=True, timeout=timeout).stdout
    except subprocess.TimeoutExpired:
        trace = f"gdb took over {timeout:.0f} s"
    (ARTIFACTS / name).write_text(trace)


def kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def target_dir() -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR", "target"))
    return target if target.is_absolute() else ROOT / target


def cli_binary() -> Path:
    """The `shopdesk` command line, built by `cargo test --workspace` (or `cargo build -p shopdesk-cli`);
    SHOPDESK_CLI names another build (a release one for the reliability suite's full-size load fault)."""
    if os.environ.get("SHOPDESK_CLI"):
        return Path(os.environ["SHOPDESK_CLI"]).resolve()
    return target_dir() / "debug" / "shopdesk"


def app_binary() -> Path:
    if os.environ.get("SHOPDESK_APP"):
        return Path(os.environ["SHOPDESK_APP"]).resolve()
    return target_dir() / "debug" / "shopdesk-app"


def tauri_driver_binary() -> str:
    found = shutil.which("tauri-driver")
    if found:
        return found
    fallback = Path.home() / ".cargo" / "bin" / "tauri-driver"
    if fallback.exists():
        return str(fallback)
    raise RuntimeError("tauri-driver not found: run scripts/setup.sh test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 20) -> None:
    end = time.monotonic() + timeout
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if proc.poll() is not None:
            raise RuntimeError(f"tauri-driver exited with {proc.returncode} before port {port} opened")
        if time.monotonic() > end:
            raise TimeoutError(f"nothing listening on port {port} after {timeout}s")
        time.sleep(0.05)


def sel(testid: str) -> str:
    return f'[data-testid="{testid}"]'


class App:
    """One running app on one set of data dirs; restart() keeps the data dirs."""

    def __init__(self, home: Path, name: str):
        self.home = home
        self.name = name
        self.driver: webdriver.Remote | None = None
        self._shots = 0  # screenshots taken in this session (see screenshot())
        self._tauri_driver: subprocess.Popen | None = None
        self._log = None
        self.args: list[str] = []
        self.env = dict(
            os.environ,
            # Its own HOME too: some libraries (the autostart entry, for one) ignore XDG_CONFIG_HOME.
            HOME=str(home),
            XDG_DATA_HOME=str(home / "data"),
            XDG_CONFIG_HOME=str(home / "config"),
            XDG_CACHE_HOME=str(home / "cache"),
            # The window is created shown, not shown once its page has loaded as users get it
            # (src-tauri/src/first_show.rs): WebKit's WebDriver screenshots of a window created
            # hidden often never came back. test_queue.py starts one app without it ("").
            SHOPDESK_WINDOW_AT_ONCE="1",
        )

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self, args: list[str] | None = None, env: dict[str, str] | None = None) -> "App":
        """Starts the app; `env` adds to its environment (kept for later restarts)."""
        app = app_binary()
        if not os.access(app, os.X_OK):
            pytest.exit(f"{app} is missing: build it with `npx tauri build --debug --no-bundle`", returncode=2)
        self.args = list(args or [])
        self.env.update(env or {})
        port, native_port = free_port(), free_port()
        while native_port == port:
            native_port = free_port()
        # The app inherits tauri-driver's environment: that is how it gets the per-test XDG dirs.
        self._log = open(self.home / "tauri-driver.log", "ab")
        self._tauri_driver = subprocess.Popen(
            [tauri_driver_binary(), "--port", str(port), "--native-port", str(native_port)],
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        # Port opens before WebKitWebDriver listens on the native port; connecting early can fail.
        wait_port(port, self._tauri_driver)
        wait_port(native_port, self._tauri_driver)
        options = ArgOptions()
        options.set_capability("tauri:options", {"application": str(app), "args": self.args})
        url = f"http://127.0.0.1:{port}"
        # Starting a session starts the app and WebKit: on a loaded machine (seen at a load average
        # of 15) that has taken over 30 s, so the HTTP timeout is generous; a hung app still fails.
        self.driver = webdriver.Remote(
            url, options=options, client_config=ClientConfig(remote_server_addr=url, timeout=120)
        )
        self.driver.set_script_timeout(TIMEOUT)
        self._shots = 0
        if self.driver.current_url.startswith("http://localhost"):
            url = self.driver.current_url
            self.stop()  # no test can pass against this binary: say why once and stop the run
            pytest.exit(
                f"{app} loads the dev server ({url}), not the embedded UI: "
                "build it with `npx tauri build --debug --no-bundle`, not `cargo build`",
                returncode=2,
            )
        self.wait_for("nav-queue")
        return self

    def stop(self) -> None:
        if self.driver is not None:
            try:
                self.driver.quit()  # closes the app and its WebKit processes
            except WebDriverException:
                pass
            self.driver = None
        if self._tauri_driver is not None:
            self._tauri_driver.terminate()  # takes WebKitWebDriver down with it
            try:
                self._tauri_driver.wait(10)
            except subprocess.TimeoutExpired:
                self._tauri_driver.kill()
                self._tauri_driver.wait(5)
            self._tauri_driver = None
        self._wait_for_exit()
        if self._log is not None:
            self._log.close()
            self._log = None

    def _processes(self) -> list[int]:
        """This App's shopdesk-app processes (found by their HOME, which is this App's own)."""
        mine = f"HOME={self.home}".encode()
        found = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                if proc.joinpath("comm").read_text().strip() != "shopdesk-app":
                    continue
                if mine in proc.joinpath("environ").read_bytes().split(b"\0"):
                    found.append(int(proc.name))
            except OSError:
                continue
        return found

    def _wait_for_exit(self, timeout: float = 15) -> None:
        """A closed app takes a moment to exit; one still running would go on notifying into the next test.
        Wait for it, and end it (saying so) if it will not go."""
        end = time.monotonic() + timeout
        while (left := self._processes()) and time.monotonic() < end:
            time.sleep(0.1)
        for pid in left:
            print(f"shopdesk-app {pid} was still running {timeout}s after its window closed; killing it")
            # what it was stuck on, for whoever looks into it
            save_backtrace(pid, f"STUCK-{self.name}-{pid}.txt", frames=15, timeout=60)
            kill(pid)

    def restart(self, args: list[str] | None = None, env: dict[str, str] | None = None) -> "App":
        """Quit the app and start it again on the same data dirs (the persistence check)."""
        self.stop()
        return self.start(args, env)

    # --- finding and waiting ---------------------------------------------------------------------
    def wait(self, timeout: float | None = None) -> WebDriverWait:
        return WebDriverWait(
            self.driver, timeout or TIMEOUT, ignored_exceptions=(StaleElementReferenceException,)
        )

    def wait_for(self, testid: str, timeout: float | None = None) -> WebElement:
        """The first visible element with this data-testid."""
        return self.wait(timeout).until(
            EC.visibility_of_element_located((By.CSS_SELECTOR, sel(testid))),
            f"no visible [data-testid={testid}] after {timeout or TIMEOUT}s",
        )

    def wait_until(self, condition, message: str, timeout: float | None = None):
        """Polls condition(driver) until it returns something truthy, which is returned."""
        return self.wait(timeout).until(lambda d: condition(d), message)

    def all(self, testid: str, within: WebElement | None = None) -> list[WebElement]:
        return (within or self.driver).find_elements(By.CSS_SELECTOR, sel(testid))

    def one(self, testid: str, within: WebElement) -> WebElement:
        return within.find_element(By.CSS_SELECTOR, sel(testid))

    def wait_for_text(self, testid: str, pattern: str, timeout: float | None = None) -> WebElement:
        """The first visible [data-testid] element whose text matches the regex (case-insensitive)."""
        rx = re.compile(pattern, re.I)

        def found(_):
            for el in self.all(testid):
                if el.is_displayed() and rx.search(text_of(el)):
                    return el
            return None

        return self.wait_until(found, f"no [data-testid={testid}] with text /{pattern}/", timeout)

    # --- acting ----------------------------------------------------------------------------------
    def click(self, testid_or_element: str | WebElement) -> None:
        if isinstance(testid_or_element, WebElement):
            el = testid_or_element
        else:
            el = self.wait(None).until(
                EC.element_to_be_clickable((By.CSS_SELECTOR, sel(testid_or_element))),
                f"[data-testid={testid_or_element}] not clickable",
            )
        el.click()

    def type(self, testid: str, text: str, clear: bool = False) -> WebElement:
        """Types into the field (appending unless clear) and checks the keystrokes all landed there."""
        el = self.wait_for(testid)
        if clear:
            # Keystrokes rather than WebElement.clear(): they fire the input events Svelte binds to.
            el.send_keys(Keys.CONTROL + "a")
            el.send_keys(Keys.DELETE)
        el.send_keys(text)
        value = el.get_property("value")
        assert value.endswith(text), f"typed {text!r} into {testid}, which now holds {value!r} (focus moved?)"
        return el

    def settle(self) -> None:
        """Lets the UI render two frames: pending autofocus and DOM updates land before we go on.

        Typing straight after opening a form raced its autofocus (up to ~1 s late under Xvfb), which
        moved the rest of the keystrokes into another field.
        """
        self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "requestAnimationFrame(() => requestAnimationFrame(() => done()));"
        )

    def select(self, testid: str, value: str) -> None:
        Select(self.wait_for(testid)).select_by_value(value)

    def value(self, testid: str) -> str:
        return self.wait_for(testid).get_property("value")

    def go(self, route: str) -> None:
        """Navigate inside the single-page UI, e.g. go('#/case/9999')."""
        self.driver.execute_script("window.location.hash = arguments[0]", route)

    # --- checks the UI cannot show ---------------------------------------------------------------
    def invoke(self, command: str, args: dict | None = None):
        """Calls a Tauri command directly. Only for checks, never for the steps a test is about."""
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1])"
            "  .then(v => done({ok: v}),"
            "        e => done({err: (e && typeof e === 'object' && !(e instanceof Error)) ? e : String(e)}));",
            command,
            args or {},
        )
        if "err" in result:
            raise AssertionError(f"invoke {command}({args}) failed: {result['err']}")
        return result["ok"]

    def queue_data(self) -> dict:
        return self.invoke("queue", {"filter": {"status": None, "channel": None, "category": None}})

    # --- evidence --------------------------------------------------------------------------------
    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.settle()  # a shot taken right after a DOM change shows the previous frame
        if self._shots == 0:
            # A session's first screenshot can show the first painted frame; later ones are current.
            # (Taken here, on a settled page, not as the session starts: asked for while the page
            # was still loading, it now and then never came back, in 2 of ~110 starts.)
            self.driver.get_screenshot_as_png()
        self._shots += 1
        self.driver.save_screenshot(str(path))
        return path


class TestHung(Exception):
    """A test ran past TEST_AT_MOST."""


SHOPDESK = ("shopdesk-app", "shopdesk")
# WebKit's processes as /proc names them (15 characters at most): the page runs in the web process,
# and WebDriver's commands go through WebKitWebDriver.
WEBKIT = ("WebKitWebProces", "WebKitWebDriver", "WebKitNetworkPr")


def processes_under_this_run(names: tuple[str, ...]) -> list[tuple[int, str]]:
    """The processes of these names this test run started (under tauri-driver or run directly)."""
    found = []
    for pid in process_tree(os.getpid())[1:]:
        try:
            name = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        if name in names:
            found.append((pid, name))
    return found


@pytest.fixture(autouse=True)
def hang_guard(request):
    """Fails a test that runs past TEST_AT_MOST instead of letting it hang the run (a CI run once sat
    16 minutes in one test, and the app it left running broke the tests after it). Before failing it,
    it saves where everything was (artifacts/HUNG-*.txt): the test's own Python threads, and gdb's
    backtraces of the app, CLI and WebKit processes the test started; then it ends the app and CLI
    processes, so the test's own tear-down does not wait on them too."""
    name = request.node.name

    def on_alarm(signum, frame):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with open(ARTIFACTS / f"HUNG-{name}-pytest-{os.getpid()}.txt", "w") as out:
            faulthandler.dump_traceback(out, all_threads=True)
        stuck = processes_under_this_run(SHOPDESK + WEBKIT)
        for pid, comm in stuck:
            save_backtrace(pid, f"HUNG-{name}-{comm}-{pid}.txt", frames=20, timeout=90)
        for pid, comm in stuck:
            if comm in SHOPDESK:
                kill(pid)
        raise TestHung(f"{name} ran past {TEST_AT_MOST:.0f} s (SHOPDESK_E2E_TEST_AT_MOST): hung; "
                       f"backtraces of its shopdesk processes are in {ARTIFACTS}/HUNG-{name}-*.txt")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, TEST_AT_MOST)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def launch(request, tmp_path_factory):
    """launch(args=[]) starts the app on this test's fresh data dirs; it is quit after the test."""
    home = tmp_path_factory.mktemp("shopdesk-home")
    app = App(home, request.node.name)

    def _launch(args: list[str] | None = None, env: dict[str, str] | None = None) -> App:
        return app.start(args, env)

    yield _launch

    failed = any(
        getattr(request.node, f"rep_{when}", None) is not None
        and getattr(request.node, f"rep_{when}").failed
        for when in ("setup", "call")
    )
    if failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        if app.driver is not None:
            try:
                app.screenshot(f"FAILED-{request.node.name}")
                (ARTIFACTS / f"FAILED-{request.node.name}.html").write_text(app.driver.page_source)
            except WebDriverException as e:
                print(f"could not save the failure screenshot: {e}")
    app.stop()
    if failed and (home / "tauri-driver.log").exists():
        shutil.copy(home / "tauri-driver.log", ARTIFACTS / f"FAILED-{request.node.name}-driver.log")


@pytest.fixture
def app(launch) -> App:
    """The app on an empty database."""
    return launch()


def start_recorder(out: Path, *flags: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("notify_recorder.py")), str(out), *flags],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "ready", "the notification recorder did not start"
    return proc


@pytest.fixture
def recorder(tmp_path):
    """A notification server on the test's D-Bus session that records every Notify call as a JSON
    line in the file it yields (see notify_recorder.py)."""
    out = tmp_path / "notifications.jsonl"
    out.touch()
    proc = start_recorder(out)
    try:
        yield out
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def clicking_recorder(tmp_path):
    """Like `recorder`, and it clicks every notification that offers an action to open."""
    out = tmp_path / "notifications.jsonl"
    out.touch()
    proc = start_recorder(out, "--click")
    try:
        yield out
    finally:
        proc.terminate()
        proc.wait(10)


# --- real mail servers and keychain (mailservers.py; /work/shared/TESTING-ON-LINUX.md sections 3-5) ---


@pytest.fixture
def smtp_sink(tmp_path) -> SmtpSink:
    """An SMTP server on a free port that accepts every mail and any AUTH login (see SmtpSink)."""
    sink = SmtpSink(tmp_path / "smtp").start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def imap_server(request) -> Imap:
    """A throw-away Dovecot on a free port, user test@example.com / test-pw (see Imap). Skips the test
    where Dovecot 2.3 is not installed or the tests don't run as root. Its log goes to artifacts/ when
    the test fails."""
    try:
        server = Imap()
    except ServerUnavailable as e:
        pytest.skip(str(e))
    try:
        yield server.start()
    finally:
        server.stop()
        failed = any(
            getattr(request.node, f"rep_{when}", None) is not None and getattr(request.node, f"rep_{when}").failed
            for when in ("setup", "call")
        )
        if failed and server.log.exists():
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(server.log, ARTIFACTS / f"FAILED-{request.node.name}-dovecot.log")
        server.close()


@pytest.fixture
def keyring_env(tmp_path) -> KeyringSession:
    """gnome-keyring-daemon with a fresh unlocked keyring on the test's D-Bus session. The fixture value is
    the environment for the processes under test (a dict), with .lookup(service, username).

    The app finds the keyring through DBUS_SESSION_BUS_ADDRESS alone, which it inherits anyway: a test
    just requests this fixture and calls launch(); launch(env=keyring_env) would also move the app's
    HOME/XDG dirs into the keyring's home."""
    try:
        session = keyring_session(tmp_path / "keyring-home", replace_stale=True)
    except ServerUnavailable as e:
        pytest.skip(str(e))
    try:
        yield session
    finally:
        session.stop()
