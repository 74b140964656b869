#!/usr/bin/python3
"""notmuch's half of bench/compare.sh (system Python: Debian's python3-notmuch2 lives there).

  notmuch_side.py split MBOX MAILDIR   one file per message in MAILDIR/cur (what `notmuch new` reads)
  notmuch_side.py search DB QUERY...   the queries in-process through libnotmuch, 50 runs each (fewer
                                       past 10 s, at least 3), as JSON

The mbox is the one `shopdesk bench --write-mbox` writes: every message starts with a "From " line
after a blank line (or at the top), and no body line starts with "From ", so splitting on those
lines gives back exactly the messages shopdesk imports.
"""

import json
import os
import subprocess
import sys
import time

RUNS = 50  # as shopdesk bench, unless the runs take longer than this:
BUDGET_SECS = 10
LIMIT = 30  # shopdesk's search returns at most 30 hits
OPERATORS = {"and", "or", "not", "xor", "near", "adj"}


def split(mbox: str, maildir: str) -> None:
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    cur = os.path.join(maildir, "cur")
    n = 0
    out = None
    previous_blank = True
    with open(mbox, "rb") as f:
        for line in f:
            if line.startswith(b"From ") and previous_blank:
                if out:
                    out.close()
                n += 1
                out = open(os.path.join(cur, f"{n:07d}.bench:2,S"), "wb")
                previous_blank = False
                continue
            if out:
                out.write(line)
            previous_blank = line in (b"\n", b"\r\n")
    if out:
        out.close()
    print(n)


def words_as_prefixes(typed: str) -> str:
    """shopdesk matches every typed word as a prefix, all of them (fts_query); the same in notmuch."""
    words = [w.strip("'-") for w in "".join(c if c.isalnum() or c in "'-" else " " for c in typed).split()]
    # Xapian reads "not", "and"... as operators in any case; those are searched as the exact word.
    return " ".join(f'"{w}"' if w.lower() in OPERATORS else f"{w}*" for w in words if w)


def percentile(sorted_ms, p):
    i = round((len(sorted_ms) - 1) * p)
    return sorted_ms[min(i, len(sorted_ms) - 1)]


def search(db_path: str, queries) -> None:
    import notmuch2

    config = os.environ.get("NOTMUCH_CONFIG")
    results = []
    db = notmuch2.Database(db_path, mode=notmuch2.Database.MODE.READ_ONLY, config=notmuch2.Database.CONFIG.EMPTY)
    for typed in queries:
        query = words_as_prefixes(typed)
        times = []
        hits = 0
        budget = time.perf_counter() + BUDGET_SECS
        for run in range(RUNS):
            if run >= 3 and time.perf_counter() > budget:
                break  # a slow query (a single letter: every term under it) gets fewer runs
            t = time.perf_counter()
            hits = 0
            # Newest first (notmuch has no relevance order), the first 30 messages with their subject
            # and sender read, as a result list needs them.
            for msg in db.messages(query, sort=notmuch2.Database.SORT.NEWEST_FIRST):
                msg.header("subject")
                msg.header("from")
                hits += 1
                if hits == LIMIT:
                    break
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        total = db.count_messages(query)
        # What a notmuch user types: the command, process start and database open included.
        cli = []
        budget = time.perf_counter() + BUDGET_SECS
        for run in range(10):
            if run >= 1 and time.perf_counter() > budget:
                break
            t = time.perf_counter()
            subprocess.run(["notmuch", "search", f"--limit={LIMIT}", query], check=True, stdout=subprocess.DEVNULL,
                           env=dict(os.environ, NOTMUCH_CONFIG=config) if config else None)
            cli.append((time.perf_counter() - t) * 1000)
        cli.sort()
        results.append({
            "query": typed, "notmuch_query": query, "hits": hits, "matching": total, "runs": len(times),
            "median_ms": percentile(times, 0.5), "p95_ms": percentile(times, 0.95), "p99_ms": percentile(times, 0.99),
            "cli_median_ms": percentile(cli, 0.5),
        })
    db.close()
    json.dump(results, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "split":
        split(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 4 and sys.argv[1] == "search":
        search(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)
