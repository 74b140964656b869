"""The e2e harness's own guard against a hung test (conftest.py, hang_guard). No app needed."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve()
DEMO = "SHOPDESK_E2E_HANG_DEMO"


@pytest.mark.skipif(not os.environ.get(DEMO), reason="a hung test, run on purpose by the test below")
def test_hang_demo(tmp_path):
    # A stand-in for a stuck app: a process named like the CLI, under this test, that does not end.
    fake = tmp_path / "shopdesk"
    shutil.copy("/bin/sleep", fake)
    proc = subprocess.Popen([str(fake), "120"])
    Path(os.environ[DEMO]).write_text(str(proc.pid))
    time.sleep(120)


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_hung_test_fails_in_time_with_backtraces_and_its_processes_ended(tmp_path):
    pidfile, artifacts = tmp_path / "pid", tmp_path / "artifacts"
    env = dict(os.environ, **{DEMO: str(pidfile)}, SHOPDESK_E2E_TEST_AT_MOST="3", SHOPDESK_ARTIFACTS=str(artifacts))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", f"{HERE}::test_hang_demo", "-q", "-p", "no:cacheprovider"],
        env=env, capture_output=True, text=True, timeout=240,
    )
    # Without the guard the demo would sleep its 120 s out and pass.
    assert run.returncode == 1, run.stdout + run.stderr
    assert "test_hang_demo ran past 3 s" in run.stdout, run.stdout
    pid = int(pidfile.read_text())
    assert not running(pid), "the hung test's shopdesk process was left running"
    if shutil.which("gdb"):
        traces = list(artifacts.glob("HUNG-test_hang_demo-shopdesk-*.txt"))
        assert len(traces) == 1, list(artifacts.iterdir())
        assert "#0" in traces[0].read_text(), "gdb's backtrace of the stuck process is missing"
    # and where the test itself was
    (python,) = artifacts.glob("HUNG-test_hang_demo-pytest-*.txt")
    assert "test_hang_demo" in python.read_text()
