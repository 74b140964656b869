#!/usr/bin/env bash
# Builds (when something changed) and starts the Shopdesk desktop app with the UI embedded.
#   scripts/run-app.sh            the app on your own data ($XDG_DATA_HOME/com.shopdesk.desktop)
#   scripts/run-app.sh --demo     ...filled with sample data if the database is empty
# Any arguments are passed to the app.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

"$ROOT/scripts/setup.sh" app
say "building the app (UI embedded)"
build_app
say "starting $(app_binary) $*"
exec "$(app_binary)" "$@"
