#!/usr/bin/env python3
"""The measuring half of bench/app-start.sh (run under Xvfb and a D-Bus session by it).

  app_start.py APP DB RUNS IDLE_SECS

Starts APP --db <a fresh copy of DB> RUNS times, each with its own HOME and XDG folders, and times
from just before the exec to the moment the UI says the queue is on screen: the shell logs
"ui ready ... unix_ms=..." when the UI invokes ui_ready (ui/src/lib/ready.ts). After the last
start it waits IDLE_SECS and sums the PSS (/proc/PID/smaps_rollup) of the app and every process
under it (WebKit's web and network processes included). Prints one JSON object.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# (colour codes, if the log has them, may sit between the field's name and its value)
READY = re.compile(rb"ui ready.*?unix_ms\D{0,20}?(\d{12,})")


def tree(root: int) -> list[int]:
    """root and every process under it."""
    children: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = proc.joinpath("stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(proc.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def pss_kb(pid: int) -> tuple[str, int]:
    try:
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return comm, int(line.split()[1])
    except OSError:
        pass
    return "?", 0


def stop(proc: subprocess.Popen) -> None:
    """Ends the app we started, and everything in its process group."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def start_once(app: str, db: str, home: Path, timeout: float = 60) -> tuple[subprocess.Popen, float, Path]:
    home.mkdir(parents=True)
    copy = home / "shop.sqlite3"
    shutil.copyfile(db, copy)
    log = home / "app.log"
    env = dict(os.environ, HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"),
               XDG_CACHE_HOME=str(home / "cache"), RUST_LOG="info", NO_COLOR="1")
    with open(log, "wb") as out:
        t0 = time.time()
        proc = subprocess.Popen([app, "--db", str(copy)], env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = READY.search(log.read_bytes())
        if found:
            return proc, int(found.group(1)) / 1000 - t0, log
        if proc.poll() is not None:
            sys.exit(f"the app exited ({proc.returncode}) before the queue was shown; see {log}")
        time.sleep(0.005)
    stop(proc)
    sys.exit(f"no 'ui ready' line in {log} after {timeout}s")


def main() -> None:
    app, db, runs, idle = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    work = Path(tempfile.mkdtemp(prefix="shopdesk-app-start."))
    starts = []
    try:
        for i in range(runs):
            proc, secs, _log = start_once(app, db, work / f"run{i}")
            starts.append(round(secs * 1000, 1))
            if i < runs - 1:
                stop(proc)
        time.sleep(idle)
        processes = [(pid, *pss_kb(pid)) for pid in tree(proc.pid)]
        stop(proc)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    json.dump({
        "start_ms": starts,
        "idle_secs": idle,
        "pss_mb": round(sum(kb for _, _, kb in processes) / 1024, 1),
        "processes": [{"pid": pid, "name": name, "pss_mb": round(kb / 1024, 1)} for pid, name, kb in processes],
    }, sys.stdout)
    print()


if __name__ == "__main__":
    main()
