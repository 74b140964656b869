# shellcheck shell=bash
# Shared helpers for scripts/*.sh (sourced, not run). Keeps the repo root, the cargo target dir and
# the app build in one place so run-app.sh and test.sh drive exactly the same binary.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# rustup installs into ~/.cargo/bin, which non-login shells (CI, sudo) often lack on PATH.
if [ -n "${HOME:-}" ] && [ -d "$HOME/.cargo/bin" ]; then
  case ":$PATH:" in *":$HOME/.cargo/bin:"*) ;; *) PATH="$HOME/.cargo/bin:$PATH" ;; esac
fi
export PATH

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Cargo resolves a relative CARGO_TARGET_DIR against its working directory; we always run it from ROOT.
target_dir() {
  local dir=${CARGO_TARGET_DIR:-target}
  case $dir in /*) ;; *) dir="$ROOT/$dir" ;; esac
  printf '%s\n' "$dir"
}

app_binary() { printf '%s/debug/shopdesk-app\n' "$(target_dir)"; }

# The debug app with the UI embedded (a plain `cargo build` would load the dev server URL instead).
# build-ui.mjs skips Vite when ui/dist is current, so an unchanged tree rebuilds in a few seconds.
build_app() {
  (cd "$ROOT" && node scripts/build-ui.mjs && npx --no tauri build --debug --no-bundle)
  [ -x "$(app_binary)" ] || die "tauri build finished but $(app_binary) does not exist"
}
