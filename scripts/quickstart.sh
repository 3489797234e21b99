#!/usr/bin/env bash
# Sets the project up and runs the main job on the shipped sample data (data/sample):
# four PDFs, metrics.json and rejects.csv under out/<period>/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node bin/reports.js run
