#!/usr/bin/env bash
# Builds scorepath and runs its demonstration on built-in defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh >/dev/null
exec "${SCOREPATH_BUILD_DIR:-build}/apps/scorepath" demo "$@"
