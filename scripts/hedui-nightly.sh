#!/usr/bin/env bash
# The cron wrapper: runs `hedui nightly` on the data folder and says in one line what happened.
# Exit codes are hedui's: 0 done or nothing new · 1 failure · 2 configuration · 3 a gate held
# publication (a person must act: see `hedui status`) · 4 another run still holds the folder.
# The JSON log of every run is in $HEDUI_DATA_DIR/logs/; nothing here prints personal data.
set -uo pipefail
HEDUI_HOME="${HEDUI_HOME:-$(cd "$(dirname "$0")/.." && pwd)}"
export HEDUI_DATA_DIR="${HEDUI_DATA_DIR:-/srv/hedui/data}"
cd "$HEDUI_HOME" || exit 1
node bin/hedui.js nightly --data-dir "$HEDUI_DATA_DIR" "$@"
code=$?
case $code in
  0) ;;
  3) echo "hedui nightly: a person must act (a gate held a month, a feed is past its due day, or a pull failed); see the lines above and 'hedui status' (exit 3)" >&2 ;;
  4) echo "hedui nightly: another run still holds $HEDUI_DATA_DIR (exit 4)" >&2 ;;
  *) echo "hedui nightly: failed with exit code $code; see $HEDUI_DATA_DIR/logs/" >&2 ;;
esac
exit $code
