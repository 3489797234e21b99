#!/usr/bin/env bash
# The fault script: kills `reports run --report managers --email` with SIGKILL at random moments
# and checks the output set, temporary files, the history and duplicate mail after each kill.
# Usage: bash scripts/faults.sh [N kills, default 20] [time budget in s, default 600]
# FAULTS_SEED replays a run's kill times; FAULTS_KEEP=1 keeps its work directory.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --import tsx scripts/faults.ts "$@"
