#!/usr/bin/env bash
# Renders page one of each audience's report for the shipped sample to docs/images/, as shown in
# the README. Run after changing templates or rendering: bash scripts/readme-images.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
node bin/reports.js run --period 2026-W46 --generated-at 2026-11-16T07:00:00Z --out "$out" >/dev/null
mkdir -p docs/images
for audience in managers ux it support; do
  pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$out/2026-W46/$audience.pdf" "docs/images/$audience-page-1"
done
ls -l docs/images
