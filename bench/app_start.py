#!/usr/bin/env python3
"""The measuring half of bench/app-start.sh (run under Xvfb and a D-Bus session by it).

  app_start.py APP DB RUNS IDLE_SECS OUT.json [--drop-caches]

Starts APP --db <a fresh copy of DB> several times, each with its own HOME and XDG folders, and
times from just before the exec to the moment the UI says the queue is on screen: the UI calls
ui_ready one frame after the first queue is in the DOM (ui/src/lib/ready.ts) and the shell logs
"ui ready ... unix_ms=..." with the UI's own timings. The shell also logs "shell started",
"database open" and "setup done" with their unix_ms, which splits each start into steps.

Warm starts: one start first that is not counted (it loads the app, WebKit and the fonts into the
page cache), then RUNS counted starts. With --drop-caches, first RUNS cold starts: before each,
after the database is copied, `sync` and `echo 3 > /proc/sys/vm/drop_caches` (root only), so the
app, WebKit's libraries, the fonts and the database all come from disk.

After the last start it waits IDLE_SECS and reads the PSS (/proc/PID/smaps_rollup) of the app
and every process under it (WebKit's web and network processes included). Writes one JSON object
to OUT.json (stdout is shared with Xvfb and D-Bus's own messages).
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "reliability"))
from proctree import process_tree  # noqa: E402  (shared with the reliability suite)

# (colour codes, if the log has them, may sit between a field's name and its value)
FIELD = r"{}\D{{0,20}}?(-?[\d.]+)"
STEPS = {
    "shell": re.compile(rb"shell started.*?unix_ms\D{0,20}?(\d{12,})"),
    "db": re.compile(rb"database open.*?unix_ms\D{0,20}?(\d{12,})"),
    "setup": re.compile(rb"setup done.*?unix_ms\D{0,20}?(\d{12,})"),
}
READY = re.compile(rb"ui ready.*")
READY_FIELDS = ("unix_ms", "page_origin_ms", "mount_ms", "data_ms", "painted_ms")


def memory(pid: int) -> dict | None:
    """The process's name and its PSS (split into anonymous, file and shared memory), RSS, in kB."""
    try:
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
        fields = {}
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                fields[parts[0][:-1]] = int(parts[1])
    except OSError:
        return None
    return {"pid": pid, "name": comm, **{k.lower(): fields.get(k, 0) for k in ("Pss", "Pss_Anon", "Pss_File", "Pss_Shmem", "Rss")}}


def sharing_webkit(ours: list[int]) -> list[str]:
    """Processes outside ours that map WebKit's library: while any runs (another app, a test's
    browser), the libraries' pages are shared with it and our PSS reads lower than alone."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) in ours:
            continue
        try:
            if "libwebkit2gtk" in proc.joinpath("maps").read_text():
                found.append(f"{proc.name}:{proc.joinpath('comm').read_text().strip()}")
        except OSError:
            continue
    return found


def idle_memory(root: int, patience: float = 120) -> tuple[list[dict], list[str]]:
    """The PSS of root's processes, read when no other process shares WebKit's library with them
    (waiting up to `patience` seconds for one to end); the sharers left are returned too."""
    end = time.monotonic() + patience
    while True:
        pids = process_tree(root)
        others = sharing_webkit(pids)
        if not others or time.monotonic() > end:
            return [m for m in (memory(pid) for pid in pids) if m], others
        time.sleep(5)


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


def tail(log: Path, lines: int = 40) -> str:
    """The end of the app's log (the folder it is in is removed on the way out)."""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def drop_caches() -> None:
    os.sync()
    Path("/proc/sys/vm/drop_caches").write_text("3\n")


def start_once(app: str, db: str, home: Path, cold: bool, timeout: float = 60) -> tuple[subprocess.Popen, dict]:
    home.mkdir(parents=True)
    copy = home / "shop.sqlite3"
    shutil.copyfile(db, copy)
    if cold:
        drop_caches()
    log = home / "app.log"
    load = Path("/proc/loadavg").read_text().split()[0]
    env = dict(os.environ, HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"),
               XDG_CACHE_HOME=str(home / "cache"), RUST_LOG="info", NO_COLOR="1")
    with open(log, "wb") as out:
        t0 = time.time()
        proc = subprocess.Popen([app, "--db", str(copy)], env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        text = log.read_bytes()
        line = READY.search(text)
        if line:
            ready = {}
            for name in READY_FIELDS:
                m = re.search(FIELD.format(name).encode(), line.group(0))
                if m:
                    ready[name] = float(m.group(1))
            if "unix_ms" not in ready:
                time.sleep(0.005)  # the line is still being written
                continue
            at = lambda unix_ms: round(unix_ms - t0 * 1000, 1)  # noqa: E731 (ms since the exec)
            run = {"cold": cold, "ready_ms": at(ready["unix_ms"]), "load": load}
            for step, pattern in STEPS.items():
                m = pattern.search(text)
                run[f"{step}_ms"] = at(float(m.group(1))) if m else None
            if "page_origin_ms" in ready:
                origin = ready["page_origin_ms"]
                run["page_ms"] = at(origin)
                for name in ("mount_ms", "data_ms", "painted_ms"):
                    value = ready.get(name, -1)
                    run[name] = at(origin + value) if value >= 0 else None
                calls = re.search(rb"calls=(.*)$", line.group(0))
                run["calls"] = []
                for call in (calls.group(1).decode().split() if calls else []):
                    name, asked, answered = call.rsplit(":", 2)
                    run["calls"].append([name, at(origin + float(asked)), at(origin + float(answered))])
            run["shown_ms"] = run.get("painted_ms") or run["ready_ms"]
            return proc, run
        if proc.poll() is not None:
            sys.exit(f"the app exited ({proc.returncode}) before the queue was shown; its log:\n{tail(log)}")
        time.sleep(0.005)
    stop(proc)
    sys.exit(f"no 'ui ready' line in the app's log after {timeout}s; its log:\n{tail(log)}")


def main() -> None:
    app, db, runs, idle, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
    cold_runs = runs if "--drop-caches" in sys.argv[6:] else 0
    work = Path(tempfile.mkdtemp(prefix="shopdesk-app-start."))
    starts = []
    # cold starts first (page cache dropped before each), then a warm-up start, then warm starts
    plan = [("cold", True)] * cold_runs + [("warm-up", False)] + [("warm", False)] * runs
    try:
        for i, (kind, cold) in enumerate(plan):
            proc, run = start_once(app, db, work / f"run{i}", cold)
            run["kind"] = kind
            print(f"  {kind:<8} queue shown after {run['shown_ms']:.0f} ms", file=sys.stderr)
            starts.append(run)
            if i < len(plan) - 1:
                stop(proc)
        time.sleep(idle)
        processes, others = idle_memory(proc.pid)
        if others:
            print(f"  memory read while other processes share WebKit's library: {' '.join(others)}", file=sys.stderr)
        stop(proc)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    Path(out).write_text(json.dumps({"starts": starts, "idle_secs": idle, "processes": processes, "sharing_webkit": others}) + "\n")


if __name__ == "__main__":
    main()
