#!/usr/bin/env bash
# The main job: builds Strata, runs an agent session through the library on
# ./strata.db (or PATH), reopens it, and shows with the strata shell what is
# inside.
#   scripts/demo.sh [PATH]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
db="${1:-./strata.db}"
"$here/scripts/deps.sh"
cmake -S "$here" -B "$here/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$here/build" strata_agent_session strata_cli >/dev/null
strata="$here/build/src/cli/strata"

out="$("$here/build/examples/strata_agent_session" "$db")"
printf '%s\n' "$out"
run="$(printf '%s\n' "$out" | sed -n 's/^recorded run \([^ ]*\) .*/\1/p')"

show() {
  echo
  echo "\$ strata $*"
  "$strata" "$@"
}
show "$db" info
show "$db" run list
show --run "$run" "$db" trace tree
show --run "$run" "$db" event range
show "$db" json history profile:ada
show "$db" vector list
show "$db" vector get memories "$run/answer"
show "$db" search "glide ratio" --all-runs --k 5
