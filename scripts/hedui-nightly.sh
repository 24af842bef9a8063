#!/usr/bin/env bash
# The cron wrapper: runs `hedui nightly` on the data folder and says in one line what happened.
# Exit codes are hedui's: 0 done or nothing new · 1 failure · 2 configuration · 3 a gate held
# publication (a person must act: see `hedui status`) · 4 another run still held the folder after
# the wait. The wait: another run (an operator's `hedui run`, a long import) may hold the data folder
# when cron starts this one; hedui then waits for it up to HEDUI_LOCK_WAIT_MINUTES (default 30;
# 0 = give up at once) instead of giving up the night. A `--wait N` given to this script wins.
# The JSON log of every run is in $HEDUI_DATA_DIR/logs/; nothing here prints personal data.
set -uo pipefail
HEDUI_HOME="${HEDUI_HOME:-$(cd "$(dirname "$0")/.." && pwd)}"
export HEDUI_DATA_DIR="${HEDUI_DATA_DIR:-/srv/hedui/data}"
wait_minutes="${HEDUI_LOCK_WAIT_MINUTES:-30}"
# the last --wait among the arguments is the one hedui uses: name that one when it gives up
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
    --wait) wait_minutes="${args[i + 1]:-$wait_minutes}" ;;
    --wait=*) wait_minutes="${args[i]#--wait=}" ;;
  esac
done
cd "$HEDUI_HOME" || exit 1
errors="$(mktemp)"
trap 'rm -f "$errors"' EXIT
# hedui's own lines still reach stderr as they come; a copy is kept to name the first finding below
node bin/hedui.js nightly --data-dir "$HEDUI_DATA_DIR" --wait "${HEDUI_LOCK_WAIT_MINUTES:-30}" "$@" 2> >(tee "$errors" >&2)
code=$?
wait # for tee to finish writing the copy
case $code in
  0) ;;
  3)
    # the first finding names the feed and the file (or the feed and period) a person must look at
    first="$(grep -m1 -E '^(hedui: )?\s*(rejected_file|missing_roster|row_count_drift|unauthorized_rise|missing_feed|pull_failed):' "$errors" | sed -E 's/^(hedui: )?\s*//')"
    echo "hedui nightly: a person must act: ${first:-see the lines above}; all findings above, 'hedui status --period P' for a month (exit 3)" >&2
    ;;
  4)
    # hedui's own line above names the holder (pid, command, since when)
    if [[ $wait_minutes =~ ^0*(\.0*)?$ ]]; then
      echo "hedui nightly: another run holds $HEDUI_DATA_DIR; not waited for (--wait 0) (exit 4)" >&2
    else
      echo "hedui nightly: another run still held $HEDUI_DATA_DIR after waiting $wait_minutes minutes (exit 4)" >&2
    fi
    ;;
  *) echo "hedui nightly: failed with exit code $code; see $HEDUI_DATA_DIR/logs/" >&2 ;;
esac
exit $code
