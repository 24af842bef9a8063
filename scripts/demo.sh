#!/usr/bin/env bash
# make demo: sample data for October 2026, its whitelist, and the month run end to end on the
# embedded DuckDB. Everything lands in ./demo-data (replaced on every demo).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="${HEDUI_DEMO_DIR:-demo-data}"
rm -rf "$DIR"
node bin/hedui.js fixtures --scale tiny --seed 1 --period 2026-10 --out "$DIR"
node bin/hedui.js whitelist import "$DIR/whitelist.csv" --data-dir "$DIR" --by demo
node bin/hedui.js run --period 2026-10 --data-dir "$DIR"
# the sample check requests (逢救必核), answered on their due day
node bin/hedui.js requests run --today 2026-11-20 --data-dir "$DIR"
echo
echo "County workbooks: $DIR/out/2026-10/ (one folder per league)"
find -L "$DIR/out/2026-10" -name '*.xlsx' | sort | head -5
echo "  … $(find -L "$DIR/out/2026-10" -name '*核对疑点.xlsx' | wc -l) county workbooks, plus summary.xlsx and manifest.json"
echo "Cross-province requests: $DIR/out/2026-10/跨省核对请求_2026-10.xlsx; cross-league 协查请求: $(find -L "$DIR/out/2026-10" -name '*协查请求.xlsx' | wc -l) leagues — hedui assist status --data-dir $DIR"
echo "Check-request reports (核对报告): $DIR/out/requests/<county>/<委托编号>/ — hedui requests status --data-dir $DIR"
echo "Answer key of the sample data: $DIR/answer-key/"
