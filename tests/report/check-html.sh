#!/usr/bin/env bash
# report.html.render: the test report (synthetic rows, tests/report/test_html.c) is well-formed
# (xmllint), has the SVG elements the rows ask for, and renders in headless Chromium to a
# screenshot that is not blank and shows the chart (png_check). Skips (77) when Chromium is not
# installed or cannot start here; scripts/install-deps.sh installs it.
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin/report_html" "$tmp/report.html" || { echo "writing the report failed"; exit 1; }
xmllint --noout "$tmp/report.html" || { echo "report.html is not well-formed"; exit 1; }
count() { xmllint --xpath "count($1)" "$tmp/report.html"; }
# test_html.c's rows: 24 fit (24 points), 2 Pareto fronts (the third platform has no row that fits),
# three SVG charts (scatter, breakdown, links).
[ "$(count "//*[@class='point']")" = 24 ] || { echo "points: $(count "//*[@class='point']"), expected 24"; exit 1; }
[ "$(count "//*[local-name()='polyline'][@class='pareto']")" = 2 ] || { echo "pareto fronts"; exit 1; }
[ "$(count "//*[local-name()='svg']")" = 3 ] || { echo "svg elements: $(count "//*[local-name()='svg']")"; exit 1; }
[ "$(count "//*[local-name()='script']")" = 0 ] || { echo "a script in the report"; exit 1; }
[ "$(count "//*[@href or @src]")" = 0 ] || { echo "an external reference in the report"; exit 1; }
chrome=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chrome" ] || { echo "SKIP: chromium not installed (scripts/install-deps.sh installs it)" >&2; exit 77; }
timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1000,1400 \
  --user-data-dir="$tmp/profile" --screenshot="$tmp/shot.png" "file://$tmp/report.html" >"$tmp/log" 2>&1
if [ ! -s "$tmp/shot.png" ]; then
  echo "SKIP: chromium could not render here: $(tail -1 "$tmp/log")" >&2; exit 77
fi
"$bin/png_check" "$tmp/shot.png"
