#!/usr/bin/env bash
# splice-section.sh NAME SECTION OUT: writes SECTION (a file that opens with "<!-- BEGIN NAME: ..."
# and closes with "<!-- END NAME -->") into OUT (docs/validation.md) in place of OUT's own NAME
# section, keeping every other section as it is; OUT without that section gets it appended, and a
# missing OUT is created with the shared title. The one splice of every scripts/*-validation.sh
# and scripts/validation-table.sh. The result replaces OUT atomically (temporary file, rename).
set -eu
[ $# -eq 3 ] || { echo "usage: splice-section.sh NAME SECTION OUT" >&2; exit 2; }
name=$1 section=$2 out=$3
begin="<!-- BEGIN $name:" end="<!-- END $name -->"
mkdir -p "$(dirname "$out")"
new=$(mktemp "$out.XXXXXX")
trap 'rm -f "$new"' EXIT
if [ -f "$out" ] && grep -qF "$begin" "$out" && grep -qF "$end" "$out"; then
  awk -v f="$section" -v b="$begin" -v e="$end" '
    index($0, b) == 1 { while ((getline l < f) > 0) print l; skip = 1; next }
    index($0, e) == 1 { skip = 0; next }
    !skip' "$out" >"$new"
elif [ -f "$out" ]; then
  { cat "$out"; echo; cat "$section"; } >"$new"
else
  { echo "# Validation"; echo
    echo "Measured vs predicted, one section per area; each section names the script that"
    echo "regenerates it. Fit residuals (a model on the data it was fitted on) and held-out errors"
    echo "(data the fit never saw) are reported separately and labelled."
    echo; cat "$section"; } >"$new"
fi
mv "$new" "$out"
trap - EXIT
