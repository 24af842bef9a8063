#!/usr/bin/env bash
# The cron wrapper: runs `hedui nightly` on the data folder and says in one line what happened.
# Exit codes are hedui's: 0 done or nothing new · 1 failure · 2 configuration · 3 a gate held
# publication (a person must act: see `hedui status`) · 4 another run still holds the folder.
# The JSON log of every run is in $HEDUI_DATA_DIR/logs/; nothing here prints personal data.
set -uo pipefail
HEDUI_HOME="${HEDUI_HOME:-$(cd "$(dirname "$0")/.." && pwd)}"
export HEDUI_DATA_DIR="${HEDUI_DATA_DIR:-/srv/hedui/data}"
cd "$HEDUI_HOME" || exit 1
errors="$(mktemp)"
trap 'rm -f "$errors"' EXIT
# hedui's own lines still reach stderr as they come; a copy is kept to name the first finding below
node bin/hedui.js nightly --data-dir "$HEDUI_DATA_DIR" "$@" 2> >(tee "$errors" >&2)
code=$?
wait # for tee to finish writing the copy
case $code in
  0) ;;
  3)
    # the first finding names the feed and the file (or the feed and period) a person must look at
    first="$(grep -m1 -E '^(hedui: )?\s*(rejected_file|missing_roster|row_count_drift|unauthorized_rise|missing_feed|pull_failed):' "$errors" | sed -E 's/^(hedui: )?\s*//')"
    echo "hedui nightly: a person must act: ${first:-see the lines above}; all findings above, 'hedui status --period P' for a month (exit 3)" >&2
    ;;
  4) echo "hedui nightly: another run still holds $HEDUI_DATA_DIR (exit 4)" >&2 ;;
  *) echo "hedui nightly: failed with exit code $code; see $HEDUI_DATA_DIR/logs/" >&2 ;;
esac
exit $code
