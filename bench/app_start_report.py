#!/usr/bin/env python3
"""Prints bench/app-start.sh's figures (app_start.py's JSON) as Markdown tables for BENCHMARKS.md.

  app_start_report.py JSON CASES OPEN MACHINE LOAD_BEFORE LOAD_AFTER WEBKIT_VERSION
"""

import collections
import datetime
import json
import statistics
import sys

# Each start, split into steps, in ms since the exec.
STEPS = [
    ("shell", "main() runs"),
    ("db", "database open"),
    ("setup", "setup done"),
    ("page", "page starts loading"),
    ("mount", "UI code loaded"),
    ("data", "queue in the DOM"),
    ("shown", "queue painted"),
]
MEMORY = ("pss", "pss_anon", "pss_file", "pss_shmem", "rss")


def cell(v: float | None) -> str:
    return "—" if v is None else f"{v:.0f}"


def main() -> None:
    r = json.loads(sys.argv[1])
    cases, open_, machine, load_before, load_after, webkit = sys.argv[2:8]
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"{date}; {machine}; WebKitGTK {webkit}; load average {load_before} before, {load_after} after")
    print(f"{int(cases):,} cases ({int(open_):,} open), release app under Xvfb (1280x1024), window 1200x780")
    print()
    starts = [s for s in r["starts"] if s["kind"] != "warm-up"]
    print("| start | " + " | ".join(label for _, label in STEPS) + " | load |")
    print("| --- |" + " ---: |" * (len(STEPS) + 1))
    for kind in ("cold", "warm"):
        runs = [s for s in starts if s["kind"] == kind]
        if not runs:
            continue
        for i, s in enumerate(runs, 1):
            print(f"| {kind} {i} | " + " | ".join(cell(s.get(f"{k}_ms")) for k, _ in STEPS) + f" | {s.get('load', '?')} |")
        med = {}
        for k, _ in STEPS:
            values = [s[f"{k}_ms"] for s in runs if s.get(f"{k}_ms") is not None]
            med[k] = statistics.median(values) if values else None
        print(f"| **{kind}, median** | " + " | ".join(f"**{cell(med[k])}**" if k == "shown" else cell(med[k]) for k, _ in STEPS) + " | |")
    print()
    print('(ms from the exec; load: the 1-minute load average as the start began; "queue painted" is the frame after the first queue was in the DOM, target < 1000 ms;')
    print(" cold: page cache dropped before each start; warm: after a start that is not counted)")
    print()
    # The commands the window called while starting, in the last counted start.
    last = starts[-1] if starts else {}
    if last.get("calls"):
        print(f"Commands the window called before its first frame ({last['kind']} start, ms from the exec):")
        print()
        print("| command | asked | answered | took |")
        print("| --- | ---: | ---: | ---: |")
        for name, asked, answered in last["calls"]:
            print(f"| {name} | {asked:.0f} | {answered:.0f} | {answered - asked:.0f} |")
        print()
    procs = r["processes"]
    by_name: dict[str, dict] = collections.OrderedDict()
    for p in procs:
        e = by_name.setdefault(p["name"], dict.fromkeys(("n", *MEMORY), 0))
        e["n"] += 1
        for k in MEMORY:
            e[k] += p[k]

    def mb(kb: int) -> str:
        return f"{kb / 1024:.1f}"

    print(f"| process, after {r['idle_secs']:.0f} s idle | PSS MB | of it anon | file | shmem | RSS MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, e in by_name.items():
        label = name + (f" ×{e['n']}" if e["n"] > 1 else "")
        print(f"| {label} | {mb(e['pss'])} | {mb(e['pss_anon'])} | {mb(e['pss_file'])} | {mb(e['pss_shmem'])} | {mb(e['rss'])} |")
    total = {k: sum(p[k] for p in procs) for k in MEMORY}
    print(f"| **all {len(procs)} processes** | **{mb(total['pss'])}** | {mb(total['pss_anon'])} | {mb(total['pss_file'])} "
          f"| {mb(total['pss_shmem'])} | {mb(total['rss'])} |")
    print()
    others = r.get("sharing_webkit") or []
    if others:
        print(f"(read while {len(others)} other process(es) mapped WebKit's library too: {' '.join(others)}; the shared")
        print(" libraries' pages are then split with them and the PSS reads lower than the app alone would)")
    else:
        print("(no other process on the machine mapped WebKit's library when the PSS was read)")
    print("(target: < 250 MB PSS for all processes together)")


if __name__ == "__main__":
    main()
