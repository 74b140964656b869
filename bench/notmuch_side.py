#!/usr/bin/python3
"""notmuch's half of bench/compare.sh (system Python: Debian's python3-notmuch2 lives there).

  notmuch_side.py split MBOX MAILDIR   one file per message in MAILDIR/cur (what `notmuch new` reads)
  notmuch_side.py search DB QUERY...   the queries through libnotmuch, as JSON (below)

The mbox is the one `shopdesk bench --write-mbox` writes: every message starts with a "From " line
after a blank line (or at the top), and no body line starts with "From ", so splitting on those
lines gives back exactly the messages shopdesk imports.

How a query is asked (the same question shopdesk's bench asks, in notmuch's most favourable way):
- Every typed word as a prefix, all of them, in the message text and the subject, as shopdesk's
  search matches its hits (fts_query: message bodies and case subjects; names and addresses are
  searched apart, as contacts): `parcel` -> `(body:parcel* OR subject:parcel*)`. notmuch also
  reads a bare word as a search of every field it indexes, message-ids, thread ids, tags and paths
  included; a bare one-letter prefix then expands to every message-id under that letter, and in
  the bench's mailbox every message-id starts with "t" (`<t12m0.s1@example.org>`): `t*` took
  14-17 s at 10,000 messages and, at 100,000, more than 10 s a run (the old script's search half
  did not finish in 17 minutes). That query is still timed, capped, in the "as typed" column.
- In-process through libnotmuch (python3-notmuch2), the database opened once, as shopdesk's bench
  calls its store: no process start or database open per query. The first 30 messages newest
  first (notmuch has no relevance order), each one's subject and sender read, as a result list
  needs them (shopdesk returns at most 30 hits, with snippets; notmuch has no snippets).
- 50 runs, as shopdesk's bench, fewer when a query's runs pass BUDGET_SECS (at least 3). The runs
  happen in a worker process that reports each run as it ends; a query whose current run passes
  CAP_SECS is stopped there (the worker killed, the next query in a new one) and reported as
  "> CAP" ms, so the whole search half takes bounded time whatever the mailbox.
- Also `notmuch search --limit=30` as a user types it in a shell (30 threads, newest first: process
  start and database open included), a few runs.
XAPIAN_CJK_NGRAM=1 (set by compare.sh for `notmuch new` and here) makes Xapian index and search
Chinese and Japanese text in n-grams, as notmuch users who read such mail set it; without it `急須`
matches nothing in notmuch (shopdesk has its trigram index for CJK).
"""

import json
import multiprocessing
import os
import subprocess
import sys
import time

RUNS = 50  # as shopdesk bench, unless the runs take longer than this:
BUDGET_SECS = float(os.environ.get("NOTMUCH_BENCH_BUDGET_SECS", 10))
CAP_SECS = float(os.environ.get("NOTMUCH_BENCH_CAP_SECS", 30))  # one run longer than this stops the query
AS_TYPED_RUNS, AS_TYPED_BUDGET_SECS, AS_TYPED_CAP_SECS = 3, 2, float(os.environ.get("NOTMUCH_BENCH_AS_TYPED_CAP_SECS", 10))
CLI_RUNS, CLI_BUDGET_SECS = 5, 3
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


def typed_words(typed: str):
    """The words as shopdesk's fts_query splits them (letters, digits, inner ' and -)."""
    words = [w.strip("'-") for w in "".join(c if c.isalnum() or c in "'-" else " " for c in typed).split()]
    return [w for w in words if w]


def fielded(typed: str) -> str:
    """Every word a prefix in the text or the subject, all words required: what shopdesk matches.
    notmuch's subject: field reads "not", "or"... as operators even with a *: there, the word."""
    def subject(w):
        return f'"{w}"' if w.lower() in OPERATORS else f"{w}*"
    return " ".join(f"(body:{w}* OR subject:{subject(w)})" for w in typed_words(typed))


def as_typed(typed: str) -> str:
    """The words as prefixes the way a notmuch user types them: bare, so in every field notmuch
    indexes. Xapian reads "not", "and"... as operators in any case; those are searched as the word."""
    return " ".join(f'"{w}"' if w.lower() in OPERATORS else f"{w}*" for w in typed_words(typed))


def percentile(sorted_ms, p):
    if not sorted_ms:
        return None
    i = round((len(sorted_ms) - 1) * p)
    return sorted_ms[min(i, len(sorted_ms) - 1)]


def _worker(db_path, jobs, runs, budget_secs, count, conn):
    """Runs each (index, query) in turn, sending ("start", i), ("run", ms, hits) per run and
    ("end", i, matching) to the parent, which stops this process when a run passes the cap."""
    import notmuch2

    db = notmuch2.Database(db_path, mode=notmuch2.Database.MODE.READ_ONLY, config=notmuch2.Database.CONFIG.EMPTY)
    for i, query in jobs:
        conn.send(("start", i))
        budget = time.perf_counter() + budget_secs
        for run in range(runs):
            if run >= 3 and time.perf_counter() > budget:
                break  # a slow query gets fewer runs
            t = time.perf_counter()
            hits = 0
            for msg in db.messages(query, sort=notmuch2.Database.SORT.NEWEST_FIRST):
                msg.header("subject")
                msg.header("from")
                hits += 1
                if hits == LIMIT:
                    break
            conn.send(("run", (time.perf_counter() - t) * 1000, hits))
        conn.send(("end", i, db.count_messages(query) if count else None))
    db.close()
    conn.close()


def measure(db_path, queries, runs, budget_secs, cap_secs, count):
    """{"times", "hits", "matching", "capped"} for each query, in order (see _worker)."""
    ctx = multiprocessing.get_context("fork")
    out = [{"times": [], "hits": 0, "matching": None, "capped": False} for _ in queries]
    todo = list(enumerate(queries))
    while todo:
        receive, send = ctx.Pipe(duplex=False)
        worker = ctx.Process(target=_worker, args=(db_path, todo, runs, budget_secs, count, send), daemon=True)
        worker.start()
        send.close()
        current, run_started = None, time.monotonic()
        while True:
            # Opening the database (before the first "start") is not capped as a run is.
            limit = cap_secs if current is not None else max(cap_secs, 60)
            left = limit - (time.monotonic() - run_started)
            if not receive.poll(max(left, 0)):
                # The current run passed the cap: stop it, go on with the next query.
                worker.kill()
                worker.join()
                if current is None:
                    raise SystemExit(f"notmuch_side: the database at {db_path} did not open in {limit} s")
                out[current]["capped"] = True
                todo = [job for job in todo if job[0] > current]
                break
            try:
                message = receive.recv()
            except EOFError:
                worker.join()
                if worker.exitcode != 0:
                    raise SystemExit(f"notmuch_side: the search worker failed (exit {worker.exitcode})")
                todo = []
                break
            run_started = time.monotonic()
            if message[0] == "start":
                current = message[1]
            elif message[0] == "run":
                out[current]["times"].append(message[1])
                out[current]["hits"] = message[2]
            else:
                out[current]["matching"] = message[2]
        receive.close()
    for r in out:
        r["times"].sort()
    return out


def cli(query):
    """`notmuch search --limit=30` from a shell: median of a few runs (process start included)."""
    times = []
    budget = time.perf_counter() + CLI_BUDGET_SECS
    for run in range(CLI_RUNS):
        if run >= 1 and time.perf_counter() > budget:
            break
        t = time.perf_counter()
        try:
            subprocess.run(["notmuch", "search", f"--limit={LIMIT}", "--sort=newest-first", query],
                           check=True, stdout=subprocess.DEVNULL, timeout=CAP_SECS)
        except subprocess.TimeoutExpired:
            return None, True
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return percentile(times, 0.5), False


def search(db_path: str, queries) -> None:
    started = time.monotonic()
    asked = [fielded(q) for q in queries]
    main = measure(db_path, asked, RUNS, BUDGET_SECS, CAP_SECS, count=True)
    typed = measure(db_path, [as_typed(q) for q in queries], AS_TYPED_RUNS, AS_TYPED_BUDGET_SECS, AS_TYPED_CAP_SECS, count=False)
    results = []
    for q, query, m, t in zip(queries, asked, main, typed):
        cli_ms, cli_capped = cli(query)
        results.append({
            "query": q, "notmuch_query": query, "hits": m["hits"], "matching": m["matching"], "runs": len(m["times"]),
            "capped": m["capped"], "cap_ms": CAP_SECS * 1000,
            "median_ms": percentile(m["times"], 0.5), "p95_ms": percentile(m["times"], 0.95), "p99_ms": percentile(m["times"], 0.99),
            "as_typed_query": as_typed(q), "as_typed_median_ms": percentile(t["times"], 0.5), "as_typed_runs": len(t["times"]),
            "as_typed_capped": t["capped"], "as_typed_cap_ms": AS_TYPED_CAP_SECS * 1000,
            "cli_median_ms": cli_ms, "cli_capped": cli_capped,
        })
    json.dump({"search": results, "search_secs": time.monotonic() - started}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "split":
        split(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 4 and sys.argv[1] == "search":
        search(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)
