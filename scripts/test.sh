#!/usr/bin/env bash
# Runs every test of Shopdesk, stopping at the first failing stage:
#   setup -> Rust tests -> bench smoke -> UI unit tests -> app build (UI embedded) -> end-to-end tests (Xvfb + WebDriver)
#   -> reliability, short (kill -9, network and disk faults against the CLI and the app; tests/reliability/run.py)
# Arguments are passed to pytest, e.g. `scripts/test.sh -k persistence`. Screenshots land in ./artifacts/.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

export SHOPDESK_ARTIFACTS="$ROOT/artifacts"
export SHOPDESK_APP
SHOPDESK_APP=$(app_binary)

cargo_tests() {
  if [ -f Cargo.lock ]; then cargo test --workspace --locked; else cargo test --workspace; fi
}

e2e_tests() {
  mkdir -p "$SHOPDESK_ARTIFACTS"
  xvfb-run -a -e "$SHOPDESK_ARTIFACTS/xvfb.log" -s "-screen 0 1280x1024x24" \
    dbus-run-session -- tests/e2e/.venv/bin/python -m pytest tests/e2e -v "$@"
}

# The short run (a few minutes): 10 kills per crash fault. `tests/reliability/run.py --full` is the long one.
# The app fault runs the built app (SHOPDESK_APP) on a display of its own; the keychain needs a D-Bus session of
# its own, as in e2e_tests.
reliability_tests() {
  xvfb-run -a -s "-screen 0 1280x1024x24" dbus-run-session -- tests/e2e/.venv/bin/python tests/reliability/run.py
}

total_start=$SECONDS
stage() { # NAME COMMAND... — runs COMMAND with errexit in force, exits the script if it fails
  local name=$1 start=$SECONDS rc
  shift
  printf '\n\033[1m=== stage: %s\033[0m\n' "$name"
  set +e
  (set -e; "$@")
  rc=$?
  set -e
  if [ $rc -ne 0 ]; then
    printf '\n\033[1;31m=== FAILED stage: %s (exit %d after %ds)\033[0m\n' "$name" "$rc" $((SECONDS - start)) >&2
    exit $rc
  fi
  printf '\033[1m=== passed: %s (%ds)\033[0m\n' "$name" $((SECONDS - start))
}

stage "setup (test mode)" "$ROOT/scripts/setup.sh" test
stage "Rust tests (cargo test --workspace)" cargo_tests
stage "bench smoke (shopdesk bench --messages 2000; no time assertions)" \
  cargo run -q -p shopdesk-cli -- bench --messages 2000 --queue-sizes 10000
stage "UI unit tests (npm --prefix ui test)" npm --prefix ui test
stage "app build (UI embedded)" build_app
stage "end-to-end tests (pytest tests/e2e)" e2e_tests "$@"
stage "reliability, short (tests/reliability/run.py: nothing lost, doubled or damaged)" reliability_tests
printf '\n\033[1;32m=== all stages passed in %ds\033[0m\n' $((SECONDS - total_start))
