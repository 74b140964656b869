#!/usr/bin/env bash
# Shopdesk beside notmuch on the same synthetic mailbox, in the same run (issue 7):
#   bench/compare.sh [--messages N] [--seed S] [--keep]
# 1. builds the release CLI and writes the mailbox `shopdesk bench` measures (--write-mbox),
# 2. runs `shopdesk bench --json` (import, search, queue, sweep) on it,
# 3. splits the same mbox into a maildir and times `notmuch new` on it (Debian's notmuch, installed
#    with apt-get when missing),
# 4. runs the same search queries in notmuch (in-process through libnotmuch, 50 runs, and the
#    `notmuch search` command), and prints both import rates, the ratio and both query tables.
# Nothing of yours is touched: everything happens in a temporary folder (--keep leaves it).
# See BENCHMARKS.md for what each tool does during its import.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

messages=10000 seed=1 keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --messages) messages=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) die "usage: bench/compare.sh [--messages N] [--seed S] [--keep]" ;;
  esac
done

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root for: $*"; fi; }
if ! command -v notmuch >/dev/null || ! /usr/bin/python3 -c 'import notmuch2' 2>/dev/null; then
  say "installing notmuch and its Python bindings with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends notmuch python3-notmuch2
fi
command -v jq >/dev/null || die "jq is needed (apt-get install jq)"

say "building the release CLI"
cargo build --release -q -p shopdesk-cli
shopdesk="$(target_dir)/release/shopdesk"

work=$(mktemp -d "${TMPDIR:-/tmp}/shopdesk-compare.XXXXXX")
if [ $keep -eq 0 ]; then trap 'rm -rf "$work"' EXIT; else say "keeping $work"; fi
now_ms() { date +%s%3N; }

say "writing the synthetic mailbox ($messages messages, seed $seed)"
"$shopdesk" bench --messages "$messages" --seed "$seed" --write-mbox "$work/bench.mbox" >/dev/null

say "shopdesk bench (import into a fresh database, then the searches, queue and sweep)"
TMPDIR=$work "$shopdesk" bench --messages "$messages" --seed "$seed" --json >"$work/shopdesk.json"

say "splitting the mbox into a maildir for notmuch"
split=$(/usr/bin/python3 bench/notmuch_side.py split "$work/bench.mbox" "$work/maildir")
[ "$split" -eq "$messages" ] || die "the maildir has $split messages, not $messages"
export NOTMUCH_CONFIG=$work/notmuch-config
cat >"$NOTMUCH_CONFIG" <<EOF
[database]
path=$work/maildir
[user]
name=Costa Ceramics
primary_email=shop@example.com
[new]
tags=unread;inbox;
[search]
exclude_tags=
[maildir]
synchronize_flags=true
EOF
sync
say "notmuch new (import of the maildir)"
start=$(now_ms)
notmuch new --quiet
notmuch_ms=$(($(now_ms) - start))
indexed=$(notmuch count '*')
[ "$indexed" -eq "$messages" ] || say "warning: notmuch indexed $indexed messages, not $messages"

say "the same searches in notmuch"
mapfile -t queries < <(jq -r '.search[].query' "$work/shopdesk.json")
/usr/bin/python3 bench/notmuch_side.py search "$work/maildir" "${queries[@]}" >"$work/notmuch.json"

maildir_bytes=$(du -sb "$work/maildir/cur" | cut -f1)
notmuch_db_bytes=$(du -sb "$work/maildir/.notmuch" | cut -f1)
jq -n -r --slurpfile s "$work/shopdesk.json" --slurpfile n "$work/notmuch.json" \
  --argjson nms "$notmuch_ms" --argjson messages "$messages" --argjson mdb "$maildir_bytes" --argjson ndb "$notmuch_db_bytes" '
  def f1: . * 10 | round / 10;
  def f2: . * 100 | round / 100;
  ($s[0]) as $s | ($n[0]) as $n | ($messages / ($nms / 1000)) as $nrate |
  "\($messages) messages (seed \($s.seed)), mbox \($s.mbox_bytes / 1e6 | f1) MB, \(now | strftime("%Y-%m-%d"))",
  "",
  "IMPORT     SECONDS  MESSAGES/S  STORE MB  STORE / MAIL",
  "shopdesk   \($s.import_secs | f2)    \($s.import_per_sec | round)        \($s.db_bytes / 1e6 | f1)      \($s.db_bytes / $s.mbox_bytes | f2)x the mbox",
  "notmuch    \($nms / 1000 | f2)    \($nrate | round)        \($ndb / 1e6 | f1)      \($ndb / $mdb | f2)x the maildir (index only; the mail stays in the maildir)",
  "ratio      shopdesk / notmuch = \($s.import_per_sec / $nrate | f2)x  (target >= 20x and >= 5000 messages/s)",
  "",
  "queue \($s.queue_ms | f2) ms, clock sweep \($s.clock_sweep_ms | f2) ms over \($s.open_cases) open cases; open cold \($s.open_cold_ms | f2) ms",
  "queue first page \([$s.queue_at[]? | "\(.first_page_median_ms | f2) ms at \(.open_cases) open cases"] | join(", ")) (synthetic open cases added)",
  "",
  "SEARCH (ms)              shopdesk ranked (bm25, snippets)   notmuch newest-first (libnotmuch)   notmuch CLI",
  "QUERY                    HITS  MEDIAN  P95    P99           HITS  MATCHING  MEDIAN  P95    P99   MEDIAN",
  ([$s.search, $n] | transpose[] | . as [$a, $b] |
    "\($a.query | .+ " " * (24 - length))" +
    " \($a.hits | tostring | .+ " " * (5 - length)) \($a.median_ms | f2 | tostring | .+ " " * (7 - length)) \($a.p95_ms | f2 | tostring | .+ " " * (6 - length)) \($a.p99_ms | f2 | tostring | .+ " " * (13 - length))" +
    " \($b.hits | tostring | .+ " " * (5 - length)) \($b.matching | tostring | .+ " " * (9 - length)) \($b.median_ms | f2 | tostring | .+ " " * (7 - length)) \($b.p95_ms | f2 | tostring | .+ " " * (6 - length)) \($b.p99_ms | f2 | tostring | .+ " " * (5 - length)) \($b.cli_median_ms | f1)")
'
[ $keep -eq 0 ] || say "the raw figures: $work/shopdesk.json and $work/notmuch.json"
