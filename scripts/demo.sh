#!/usr/bin/env bash
# Builds Strata and runs the quick-start program on ./strata.db.
#   scripts/demo.sh [PATH]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
"$here/scripts/deps.sh"
cmake -S "$here" -B "$here/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$here/build" strata_quickstart >/dev/null
exec "$here/build/examples/strata_quickstart" "$@"
