#!/usr/bin/env bash
# Shopdesk beside notmuch on the same synthetic mailbox, in the same run (issue 7):
#   bench/compare.sh [--messages N] [--seed S] [--keep] [--json] [--no-app]
# 1. builds the release CLI, and (unless --no-app) the release app with its .deb (`tauri build
#    --bundles deb`, whose size is a target), waits for the machine to settle after the build, and
#    writes the mailbox `shopdesk bench` measures (--write-mbox),
# 2. runs `shopdesk bench` (import, search, queue, sweep) on it and prints its table (the figures
#    also go to a JSON file, --json-file, for the tables below),
# 3. splits the same mbox into a maildir and times `notmuch new` on it (Debian's notmuch, installed
#    with apt-get when missing), and prints both import rates and the ratio,
# 4. asks notmuch the same search queries (bench/notmuch_side.py says how, and why that is fair:
#    in-process through libnotmuch, the 30 newest matches, each word a prefix in the text and the
#    subject, 50 runs or fewer past a time budget, a run past a cap reported as "> N ms") and prints
#    them beside shopdesk's,
# 5. (unless --no-app) starts the release app under Xvfb on 10,000 cases, cold (page cache dropped
#    first, when run as root) and warm, and sums its processes' memory after 30 s idle
#    (bench/app-start.sh, which prints its own tables),
# 6. prints every target of issue 7 beside this run's figure: met, or missed and by how much.
# --json prints all the figures as one JSON object instead of the tables. Nothing of yours is
# touched: everything happens in a temporary folder (--keep leaves it). notmuch indexes and
# searches with XAPIAN_CJK_NGRAM=1, so that it finds Japanese words as shopdesk does.
# At 100,000 messages the notmuch half takes a few minutes; the search half is bounded by
# notmuch_side.py's caps (NOTMUCH_BENCH_BUDGET_SECS, NOTMUCH_BENCH_CAP_SECS).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

messages=10000 seed=1 keep=0 json=0 app=1
while [ $# -gt 0 ]; do
  case $1 in
    --messages) messages=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --json) json=1; shift ;;
    --no-app) app=0; shift ;;
    *) die "usage: bench/compare.sh [--messages N] [--seed S] [--keep] [--json] [--no-app]" ;;
  esac
done

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root for: $*"; fi; }
if ! command -v notmuch >/dev/null || ! /usr/bin/python3 -c 'import notmuch2' 2>/dev/null || ! command -v jq >/dev/null; then
  say "installing notmuch, its Python bindings and jq with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends notmuch python3-notmuch2 jq
fi

say "building the release CLI"
cargo build --release -q -p shopdesk-cli
shopdesk="$(target_dir)/release/shopdesk"
deb_bytes=null deb_name=
if [ $app -eq 1 ]; then
  command -v xvfb-run >/dev/null && command -v dbus-run-session >/dev/null || die "the app's half needs Xvfb and D-Bus: run scripts/setup.sh test (or pass --no-app)"
  say "building the release app and its .deb (npx tauri build --bundles deb)"
  node scripts/build-ui.mjs
  npx --no tauri build --bundles deb >&2
  deb=$(ls -t "$(target_dir)"/release/bundle/deb/*.deb | head -1)
  deb_bytes=$(stat -c %s "$deb") deb_name=$(basename "$deb")
  # The build kept both cores busy: wait (up to 2 minutes) for the load to fall before timing.
  for _ in $(seq 24); do awk '{exit !($1 < 0.8)}' /proc/loadavg && break; sleep 5; done
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/shopdesk-compare.XXXXXX")
if [ $keep -eq 0 ]; then trap 'rm -rf "$work"' EXIT; else say "keeping $work"; fi
now_ms() { date +%s%3N; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
load_before=$(load)

say "writing the synthetic mailbox ($messages messages, seed $seed)"
"$shopdesk" bench --messages "$messages" --seed "$seed" --write-mbox "$work/bench.mbox" >/dev/null

say "shopdesk bench (import into a fresh database, then the searches, queue and sweep)"
start=$(now_ms)
TMPDIR=$work "$shopdesk" bench --messages "$messages" --seed "$seed" --json-file "$work/shopdesk.json" >"$work/shopdesk.txt"
shopdesk_run_ms=$(($(now_ms) - start))

say "splitting the mbox into a maildir for notmuch"
split=$(/usr/bin/python3 bench/notmuch_side.py split "$work/bench.mbox" "$work/maildir")
[ "$split" -eq "$messages" ] || die "the maildir has $split messages, not $messages"
export NOTMUCH_CONFIG=$work/notmuch-config XAPIAN_CJK_NGRAM=1
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

echo null >"$work/app.json"
if [ $app -eq 1 ]; then
  drop=
  [ -w /proc/sys/vm/drop_caches ] && drop=--drop-caches
  [ -n "$drop" ] || say "not root: warm starts only (a cold start needs to drop the page cache)"
  say "the app: starts on 10,000 cases and idle memory (bench/app-start.sh)"
  bench/app-start.sh --no-build --runs 3 $drop --result "$work/app.json" >"$work/app.txt"
fi

maildir_bytes=$(du -sb "$work/maildir/cur" | cut -f1)
notmuch_db_bytes=$(du -sb "$work/maildir/.notmuch" | cut -f1)
jq -n --slurpfile s "$work/shopdesk.json" --slurpfile n "$work/notmuch.json" --slurpfile a "$work/app.json" \
  --argjson deb_bytes "$deb_bytes" --arg deb_name "$deb_name" \
  --argjson nms "$notmuch_ms" --argjson sms "$shopdesk_run_ms" --argjson messages "$messages" --argjson indexed "$indexed" \
  --argjson mdb "$maildir_bytes" --argjson ndb "$notmuch_db_bytes" \
  --arg commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" --arg version "$(notmuch --version)" \
  --arg load_before "$load_before" --arg load_after "$(load)" --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" \
  --argjson cpus "$(nproc)" '
  ($n[0]) as $n |
  {
    date: (now | strftime("%Y-%m-%d %H:%M UTC")), commit: $commit, cpu: $cpu, cpus: $cpus,
    load_before: $load_before, load_after: $load_after,
    shopdesk: ($s[0] + {bench_secs: ($sms / 1000)}),
    notmuch: {
      version: $version, messages_indexed: $indexed, import_secs: ($nms / 1000), import_per_sec: ($messages / ($nms / 1000)),
      db_bytes: $ndb, maildir_bytes: $mdb, search_secs: $n.search_secs, search: $n.search
    },
    import_ratio: ($s[0].import_per_sec / ($messages / ($nms / 1000))),
    app: (if $a[0] == null then null else {
      starts: $a[0].starts, idle_secs: $a[0].idle_secs, processes: $a[0].processes, sharing_webkit: $a[0].sharing_webkit,
      deb_bytes: $deb_bytes, deb_name: $deb_name
    } end)
  }
  # Issue 7'"'"'s targets beside this run'"'"'s figures: [name, figure, unit, how it compares, limit].
  | def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
    def shown($kind): [.app.starts // [] | .[] | select(.kind == $kind) | .shown_ms] | median;
    .targets = ([
      ["import", .shopdesk.import_per_sec, "messages/s", ">=", 5000],
      ["import beside notmuch", .import_ratio, "x notmuch", ">=", 20],
      ["import memory, most after the first tenth", (if .shopdesk.import_memory == null then null else .shopdesk.import_memory.peak_after_first_tenth_bytes / .shopdesk.import_memory.first_tenth_bytes end), "x the first tenth", "<=", 1.25],
      ["search newest-first p95, slowest query", ([.shopdesk.search[].newest_p95_ms] | max), "ms", "<", 5],
      ["search ranked p95, slowest query", ([.shopdesk.search[].p95_ms] | max), "ms", "<", 20],
      ["search index / mail", (.shopdesk.index_bytes / .shopdesk.mbox_bytes), "x the mail", "<=", 1],
      (.shopdesk.queue_at[] | select(.open_cases == 100000) | (
        ["queue at 100,000 open cases, p95", .first_page_p95_ms, "ms", "<", 10],
        ["clock sweep at 100,000 open cases, p95", .sweep_p95_ms, "ms", "<", 10])),
      ["cold start to queue shown, median", shown("cold"), "ms", "<", 1000],
      ["warm start to queue shown, median", shown("warm"), "ms", "<", 1000],
      ["idle memory, all processes (PSS)", (if .app == null then null else ([.app.processes[].pss] | add) / 1024 end), "MB", "<", 250],
      [".deb", (if .app == null or .app.deb_bytes == null then null else .app.deb_bytes / 1048576 end), "MiB", "<", 15]
    ] | map({target: .[0], figure: .[1], unit: .[2], compare: .[3], limit: .[4],
             met: (if .[1] == null then null elif .[3] == ">=" then .[1] >= .[4] elif .[3] == "<=" then .[1] <= .[4] else .[1] < .[4] end)}))' >"$work/compare.json"

# For the tables below: Rust's format!("{:.N}") for the figures (non-negative), and cli/src/output.rs
# table(): columns as wide as their widest cell, two spaces apart, no trailing spaces.
JQ_TABLES='
  def fixed($d): pow(10; $d) as $m | (. * $m | round) as $i
    | ($i / $m | floor | tostring) + (if $d > 0 then "." + (($i % $m) | tostring | ("0" * ($d - length)) + .) else "" end);
  def table($header; $rows):
    ([$header] + $rows) as $all
    | [range(0; $header | length) as $c | [$all[] | .[$c] | length] | max] as $w
    | $all[] | [range(0; length) as $c | .[$c] + " " * ($w[$c] - (.[$c] | length))] | join("  ") | sub(" +$"; "");
'

if [ $json -eq 1 ]; then
  cat "$work/compare.json"
  exit 0
fi

# 1. shopdesk bench's own table, as it printed it.
cat "$work/shopdesk.txt"
echo
jq -r "$JQ_TABLES"'
  def f2: fixed(2);
  def ms($v; $capped; $cap): if $capped then "> \($cap | round)" elif $v == null then "-" else ($v | f2) end;
  .shopdesk as $s | .notmuch as $n |
  # 2. the imports.
  "beside notmuch (\($n.version), same mailbox, same run; \(.date), commit \(.commit), \(.cpus) x \(.cpu), load average \(.load_before) before, \(.load_after) after)",
  "",
  table(["IMPORT", "SECONDS", "MESSAGES/S", "STORE MB", "STORE / MAIL"]; [
    ["shopdesk", ($s.import_secs | f2), ($s.import_per_sec | fixed(0)), ($s.db_bytes / 1e6 | fixed(1)), "\($s.db_bytes / $s.mbox_bytes | f2)x the mbox"],
    ["notmuch", ($n.import_secs | f2), ($n.import_per_sec | fixed(0)), ($n.db_bytes / 1e6 | fixed(1)), "\($n.db_bytes / $n.maildir_bytes | f2)x the maildir (index only; the mail stays in the maildir)"]
  ]),
  "ratio     shopdesk / notmuch = \(.import_ratio | f2)x the messages per second (target >= 20x and >= 5000 messages/s)",
  "",
  # 3. the searches side by side.
  "notmuch: in-process (libnotmuch), the 30 newest matches with subject and sender, each word a prefix in body: or subject:",
  "(\($n.search[0].query) -> \($n.search[0].notmuch_query)); 50 runs or fewer past the time budget; \"> N\": a run passed the cap.",
  "AS TYPED: the bare prefixes a notmuch user types (every field, message-ids included), median of <= 3 runs. CLI: `notmuch search --limit=30`, median.",
  table(["SEARCH (ms)", "HITS", "SHOPDESK NEWEST P95", "RANKED P95", "NOTMUCH HITS", "MATCHING", "NOTMUCH P95", "MEDIAN", "RUNS", "NOTMUCH / NEWEST", "AS TYPED", "CLI"];
    [[$s.search, $n.search] | transpose[] | . as [$a, $b] | [
      $a.query, ($a.hits | tostring), ($a.newest_p95_ms | f2), ($a.p95_ms | f2),
      ($b.hits | tostring), ($b.matching // "-" | tostring),
      ms($b.p95_ms; $b.capped; $b.cap_ms), ms($b.median_ms; $b.capped; $b.cap_ms), ($b.runs | tostring),
      (if $b.capped then "> \($b.cap_ms / ([$a.newest_p95_ms, 0.001] | max) | round)x" elif $b.p95_ms == null then "-" else "\($b.p95_ms / ([$a.newest_p95_ms, 0.001] | max) | fixed(1))x" end),
      ms($b.as_typed_median_ms; $b.as_typed_capped; $b.as_typed_cap_ms), ms($b.cli_median_ms; $b.cli_capped; $b.cap_ms)
    ]]),
  "",
  "times of the run: shopdesk bench \($s.bench_secs | fixed(1)) s, notmuch new \($n.import_secs | fixed(1)) s, notmuch searches \($n.search_secs | fixed(1)) s"
' "$work/compare.json"
if [ $app -eq 1 ]; then
  echo
  echo "the app (bench/app-start.sh; $deb_name $deb_bytes bytes):"
  echo
  cat "$work/app.txt"
fi
echo
jq -r "$JQ_TABLES"'
  def figure: if . >= 1000 then fixed(0) elif . >= 100 then fixed(1) else fixed(2) end;
  "TARGETS (issue 7), this run",
  table(["TARGET", "LIMIT", "THIS RUN", "STATUS"]; [.targets[] | [
    .target, "\(.compare) \(.limit) \(.unit)",
    (if .figure == null then "not measured" else "\(.figure | figure) \(.unit)" end),
    (if .met == null then "-" elif .met then "met"
     elif .compare == ">=" then "missed: \(.limit / .figure | fixed(2))x short"
     else "missed: \(.figure / .limit | fixed(2))x the limit" end)
  ]])
' "$work/compare.json"
[ $keep -eq 0 ] || say "the raw figures: $work/compare.json ($work/shopdesk.json, $work/notmuch.json)"
