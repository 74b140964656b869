#!/usr/bin/env python3
"""Two (or more) app builds' starts, alternated start by start so a change in the machine's load
hits each alike (issue 7). Run under Xvfb and a D-Bus session, as bench/app-start.sh runs
app_start.py:

  xvfb-run -a -s "-screen 0 1280x1024x24" dbus-run-session -- \
    python3 bench/app_start_ab.py DB ROUNDS cold|warm|both NAME=APP[@VAR=VALUE,...] ...

Each round starts every APP once (cold: page cache dropped first, root only; both: a cold then a
warm start), in turn, the order reversed every other round; one uncounted warm-up start each
first. `@VAR=VALUE` sets environment variables for that app's starts (to try a variable without
a build). Prints each start's steps (ms from the exec, as app_start.py reads them, plus the first
command asked and the queue's answer) and their medians; writes the runs to ab-<time>.json.
"""
import json, os, sys, shutil, tempfile, statistics, time
from pathlib import Path
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import app_start as A
db, rounds, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
apps = [a.split("=", 1) for a in sys.argv[4:]]
def envs(app):
    app, _, e = app.partition("@")
    return app, dict(kv.split("=", 1) for kv in e.split(",") if kv)
def run(app, home, cold):
    app, e = envs(app)
    old = dict(os.environ); os.environ.update(e)
    try: return A.start_once(app, db, home, cold)
    finally: os.environ.clear(); os.environ.update(old)
work = Path(tempfile.mkdtemp(prefix="ab."))
res = {n: [] for n, _ in apps}
keys = ["shell_ms", "db_ms", "setup_ms", "page_ms", "mount_ms", "invoke_ms", "answer_ms", "data_ms", "shown_ms"]
i = 0
try:
    # warm-up each once
    for n, app in apps:
        p, r = run(app, work / f"w{i}", False); i += 1; A.stop(p)
    for k in range(rounds):
        order = apps if k % 2 == 0 else apps[::-1]
        for n, app in order:
            kinds = [True] if mode == "cold" else [False] if mode == "warm" else [True, False]
            for cold in kinds:
                p, r = run(app, work / f"r{i}", cold); i += 1; A.stop(p)
                r["name"] = n
                cs = r.get("calls") or []
                r["invoke_ms"] = min((c[1] for c in cs), default=None)
                r["answer_ms"] = next((c[2] for c in cs if c[0] == "queue"), None)
                res[n].append(r)
                calls = " ".join(f"{c[0]}:{c[1]:.0f}-{c[2]:.0f}" for c in r.get("calls", []))
                print(f"{n:8} {'cold' if cold else 'warm'} load={r['load']} " + " ".join(f"{k[:-3]}={r.get(k) or 0:.0f}" for k in keys) + f"  {calls}", flush=True)
                time.sleep(1)
finally:
    shutil.rmtree(work, ignore_errors=True)
for n in res:
    for cold in (True, False):
        rs = [r for r in res[n] if r["cold"] == cold]
        if not rs: continue
        print(f"MEDIAN {n:8} {'cold' if cold else 'warm'} n={len(rs)} " + " ".join(f"{k[:-3]}={statistics.median([r.get(k) or 0 for r in rs]):.0f}" for k in keys) + f" page->shown={statistics.median([r['shown_ms']-r['page_ms'] for r in rs]):.0f} mount->data={statistics.median([r['data_ms']-r['mount_ms'] for r in rs]):.0f} min_shown={min(r['shown_ms'] for r in rs):.0f} max_shown={max(r['shown_ms'] for r in rs):.0f} load={min(float(r['load']) for r in rs)}-{max(float(r['load']) for r in rs)}")
json.dump(res, open(f"ab-{int(time.time())}.json", "w"))
