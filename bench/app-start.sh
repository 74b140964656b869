#!/usr/bin/env bash
# How fast the release app shows its queue, and how much memory it holds once idle (issue 7):
#   bench/app-start.sh [--cases N] [--runs R] [--idle SECS] [--no-build]
# 1. builds the release CLI and app (UI embedded; `tauri build --no-bundle`) unless --no-build,
# 2. makes a database of about N cases (default 10,000) by importing the synthetic mailbox of
#    `shopdesk bench` with the CLI; kept in <target>/bench-app-start/ for the next run,
# 3. under Xvfb and a D-Bus session, starts the app R times (default 3) on a fresh copy of it and
#    times each start up to the UI's ready signal (the queue is on screen: ui/src/lib/ready.ts
#    invokes ui_ready, which the shell logs with the time),
# 4. after the last start waits SECS (default 30) and sums the PSS of the app and all its
#    processes (WebKit's included) from /proc/PID/smaps_rollup.
# Targets (issue 7): start to queue shown < 1 s; idle memory < 250 MB PSS in all.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

cases=10000 runs=3 idle=30 build=1
while [ $# -gt 0 ]; do
  case $1 in
    --cases) cases=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --idle) idle=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    *) die "usage: bench/app-start.sh [--cases N] [--runs R] [--idle SECS] [--no-build]" ;;
  esac
done
command -v xvfb-run >/dev/null || die "xvfb-run is missing: run scripts/setup.sh test"
command -v dbus-run-session >/dev/null || die "dbus-run-session is missing: run scripts/setup.sh test"

target=$(target_dir)
if [ $build -eq 1 ]; then
  say "building the release CLI and app (UI embedded)"
  cargo build --release -q -p shopdesk-cli
  node scripts/build-ui.mjs
  npx --no tauri build --no-bundle
fi
app=$target/release/shopdesk-app cli=$target/release/shopdesk
[ -x "$app" ] && [ -x "$cli" ] || die "$app or $cli is missing: run without --no-build"

count_cases() { python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM cases").fetchone()[0])' "$1"; }

cache=$target/bench-app-start
db=$cache/cases-$cases.sqlite3
if [ ! -f "$db" ]; then
  # Threads of 1 to 8 messages, 4.5 on average, one case each: 4.6 messages a case is enough.
  messages=$((cases * 46 / 10))
  say "making a database of about $cases cases: importing $messages synthetic messages (takes a while)"
  rm -rf "$cache" && mkdir -p "$cache/tmp"
  "$cli" bench --messages "$messages" --seed 1 --write-mbox "$cache/tmp/mail.mbox" >/dev/null
  # As shopdesk bench does: the shop's own replies in the mailbox count as answers.
  "$cli" --db "$cache/tmp/shop.sqlite3" mail setup --from-address shop@example.com >/dev/null
  "$cli" --db "$cache/tmp/shop.sqlite3" import "$cache/tmp/mail.mbox"
  mv "$cache/tmp/shop.sqlite3" "$db"  # the CLI checkpointed its WAL on closing: one file
  rm -rf "$cache/tmp"
fi
found=$(count_cases "$db")
open=$("$cli" --db "$db" queue --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["total_open"])')
say "database: $found cases ($open open), $(du -h "$db" | cut -f1)"

say "starting the app $runs times, then $idle s idle (Xvfb)"
result=$(xvfb-run -a -s "-screen 0 1280x1024x24" dbus-run-session -- python3 bench/app_start.py "$app" "$db" "$runs" "$idle")
python3 - "$result" "$found" "$open" <<'EOF'
import json, statistics, sys
r, cases, open_ = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
print(f"{cases} cases ({open_} open), release app, Xvfb")
print(f"start to queue shown  {', '.join(f'{ms:.0f}' for ms in r['start_ms'])} ms (median {statistics.median(r['start_ms']):.0f} ms; target < 1000 ms)")
print(f"memory after {r['idle_secs']:.0f} s idle  {r['pss_mb']:.1f} MB PSS, all processes (target < 250 MB)")
for p in r["processes"]:
    print(f"  {p['name']:<24} {p['pss_mb']:>7.1f} MB")
EOF
