#!/usr/bin/env bash
# Counts the instructions an import takes (valgrind's callgrind), which, unlike seconds, do not
# depend on what else the machine is doing: for comparing two versions of the import path on a
# shared machine. Writes the mailbox `shopdesk bench` measures (--messages, --seed), imports it
# into a fresh database whose mail account is the shop's (as `shopdesk bench` sets it up), and
# prints the total and the instructions per message, and those of the thread that files the mail
# (the mail is read and parsed on a second thread, which the other core runs).
#
#   bench/import-instructions.sh [--messages N] [--seed S] [--profile bench-fast|release] [--keep]
#
# The bench-fast profile (release without LTO, with line tables) builds faster and can be read
# with callgrind_annotate; --keep leaves the callgrind.out file for that.
set -euo pipefail
cd "$(dirname "$0")/.."
messages=2000 seed=1 profile=bench-fast keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --messages) messages=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --profile) profile=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 2; }
cargo build -q --profile "$profile" -p shopdesk-cli
target=${CARGO_TARGET_DIR:-target}
cli="$target/$profile/shopdesk"
[ "$profile" = release ] && cli="$target/release/shopdesk"
work=$(mktemp -d)
[ "$keep" = 1 ] || trap 'rm -rf "$work"' EXIT
"$cli" bench --messages "$messages" --seed "$seed" --write-mbox "$work/mail.mbox" >/dev/null
"$cli" --db "$work/db.sqlite3" mail setup --from-address shop@example.com --acknowledge false >/dev/null
# A whole batch a step: under valgrind's slowdown the default hold limit would cut batches by timing.
SHOPDESK_IMPORT_HOLD_MS=0 valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$work/callgrind.out" \
  "$cli" --db "$work/db.sqlite3" import "$work/mail.mbox" >"$work/import.log" 2>"$work/valgrind.log"
total=0 main=0
for out in "$work"/callgrind.out*; do
  n=$(sed -n 's/^summary: //p' "$out")
  [ -n "$n" ] || continue
  total=$((total + n))
  [ "$n" -gt "$main" ] && main=$n
done
echo "import of $messages messages (seed $seed, $profile): $total instructions, $((total / messages)) per message;" \
  "the busiest thread $main, $((main / messages)) per message"
[ "$keep" = 1 ] && echo "kept: $work (callgrind_annotate $work/callgrind.out-NN, one file per thread)"
exit 0
