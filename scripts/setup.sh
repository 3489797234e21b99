#!/usr/bin/env bash
# Installs everything the project needs on a Debian or Ubuntu machine, then its npm packages.
# Safe to run again: system packages are installed only when missing.
#
# canvas (under chartjs-node-canvas) downloads a prebuilt binary where it can and builds from
# source where it cannot (no access to its download host): that build needs a compiler and the
# cairo, pango, jpeg, gif and rsvg development packages. poppler-utils (pdftotext, pdftoppm,
# pdfinfo, pdffonts) is what the tests read the PDFs with. The fonts are the fallback chain of
# src/render/fonts.ts (Noto Sans Arabic, Hebrew, Devanagari, Thai, Noto Sans CJK, Symbola for
# emoji): text in those scripts is set in them, in the PDFs and the charts. clickhouse-server
# (Debian's 18.16, the oldest server the clickhouse engine supports) is what the engine's tests
# start on loopback, one server and a two-shard cluster, each with its own data directory.
# chromium is the headless browser the archive page's tests drive (puppeteer-core, no download).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential python3 pkg-config libcairo2-dev libpango1.0-dev libjpeg-dev libgif-dev librsvg2-dev poppler-utils
  fonts-noto-core fonts-noto-cjk fonts-symbola clickhouse-server chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: install these (Debian names) with your package manager, then run again: ${missing[*]}" >&2
    exit 1
  fi
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "setup: installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node -e '
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    console.error(`setup: Node.js 20.19 or later is needed, this is ${process.version}`);
    process.exit(1);
  }'

# package.json allowScripts approves canvas's install script (npm 11 warns about, and will
# block, install scripts not on that list); `prepare` compiles the TypeScript to dist/.
npm ci --no-audit --no-fund

if ! node -e 'require("canvas")' 2>/dev/null; then
  echo "setup: canvas did not build; rebuilding it from source" >&2
  npm rebuild canvas --build-from-source
  node -e 'require("canvas")'
fi
echo "setup: ok"
