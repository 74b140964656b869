#!/usr/bin/env bash
# How fast the release app shows its queue, and how much memory it holds once idle (issue 7):
#   bench/app-start.sh [--cases N] [--runs R] [--idle SECS] [--drop-caches] [--no-build] [--app FILE]
#                      [--result FILE]
# 1. builds the release CLI and app (UI embedded; `tauri build --no-bundle`, under nice -n 15)
#    unless --no-build,
# 2. makes a database of about N cases (default 10,000) by importing the synthetic mailbox of
#    `shopdesk bench` with the CLI; kept in <target>/bench-app-start/ for the next run,
# 3. under Xvfb and a D-Bus session, starts the app on a fresh copy of it and times each start up
#    to the queue being on screen (ui/src/lib/ready.ts: one frame after the first queue is in the
#    DOM the UI invokes ui_ready, which the shell logs with the time and the UI's own timings):
#    one warm-up start (not counted), then R warm starts (default 3). With --drop-caches (root),
#    R cold starts first, each after `sync; echo 3 > /proc/sys/vm/drop_caches`: the app, WebKit,
#    the fonts and the database then come from disk. (That empties the page cache for everything
#    on the machine: other builds read their files again.)
# 4. after the last start waits SECS (default 30) and sums the PSS of the app and all its
#    processes (WebKit's included) from /proc/PID/smaps_rollup.
#    It waits (up to 2 minutes) until no other process maps WebKit's library: one that does (an
#    e2e test's app) shares the libraries' pages and makes the PSS read low; the report says if so.
# Prints the figures as Markdown tables (for BENCHMARKS.md) with the machine and its load; with
# --result, also writes app_start.py's raw figures (JSON) to FILE (bench/compare.sh reads them).
# The starts run at the caller's priority (run the script itself without nice to measure).
# Targets (issue 7): start to queue shown < 1 s; idle memory < 250 MB PSS in all.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

cases=10000 runs=3 idle=30 build=1 drop= app= result_copy=
while [ $# -gt 0 ]; do
  case $1 in
    --cases) cases=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --idle) idle=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --drop-caches) drop=--drop-caches; shift ;;
    --app) app=$2; build=0; shift 2 ;;  # measure this app binary (a copy kept from an earlier build)
    --result) result_copy=$2; shift 2 ;;
    *) die "usage: bench/app-start.sh [--cases N] [--runs R] [--idle SECS] [--drop-caches] [--no-build] [--app FILE] [--result FILE]" ;;
  esac
done
command -v xvfb-run >/dev/null || die "xvfb-run is missing: run scripts/setup.sh test"
command -v dbus-run-session >/dev/null || die "dbus-run-session is missing: run scripts/setup.sh test"
if [ -n "$drop" ] && ! [ -w /proc/sys/vm/drop_caches ]; then die "--drop-caches needs root (it writes /proc/sys/vm/drop_caches)"; fi

target=$(target_dir)
if [ $build -eq 1 ]; then
  say "building the release CLI and app (UI embedded)"
  nice -n 15 cargo build --release -q -p shopdesk-cli
  nice -n 15 node scripts/build-ui.mjs
  nice -n 15 npx --no tauri build --no-bundle
fi
app=${app:-$target/release/shopdesk-app} cli=$target/release/shopdesk
[ -x "$app" ] && [ -x "$cli" ] || die "$app or $cli is missing: run without --no-build"

count_cases() { python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM cases").fetchone()[0])' "$1"; }

cache=$target/bench-app-start
db=$cache/cases-$cases.sqlite3
if [ ! -f "$db" ]; then
  # Threads of 1 to 8 messages, 4.5 on average, one case each: 4.6 messages a case is enough.
  messages=$((cases * 46 / 10))
  say "making a database of about $cases cases: importing $messages synthetic messages (takes a while)"
  rm -rf "$cache/tmp" && mkdir -p "$cache/tmp"  # (other sizes stay)
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

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
say "starting the app${drop:+ $runs times cold,} once to warm up and $runs times warm, then $idle s idle (Xvfb)"
result=$cache/last-run.json
xvfb-run -a -s "-screen 0 1280x1024x24" dbus-run-session -- python3 bench/app_start.py "$app" "$db" "$runs" "$idle" "$result" $drop >&2
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
machine="$(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM, $(. /etc/os-release && echo "$PRETTY_NAME")"
webkit=$(dpkg-query -W -f='${Version}' libwebkit2gtk-4.1-0 2>/dev/null || echo '?')
[ -z "$result_copy" ] || cp "$result" "$result_copy"
python3 bench/app_start_report.py "$(cat "$result")" "$found" "$open" "$machine" "$load_before" "$load_after" "$webkit"
