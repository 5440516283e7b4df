#!/usr/bin/env bash
# Renders an HTML report (e.g. runs/mnist-*/report.html) to a PNG with headless Chromium, to look at it.
#   usage: tools/screenshot-report.sh REPORT.html [OUT.png] [WIDTH] [HEIGHT]
# Needs Debian's chromium (apt-get install -y chromium).
set -euo pipefail
REPORT="${1:?usage: tools/screenshot-report.sh REPORT.html [OUT.png] [WIDTH] [HEIGHT]}"
OUT="${2:-${REPORT%.html}.png}"
WIDTH="${3:-1400}"
HEIGHT="${4:-4200}"
BROWSER="$(command -v chromium || command -v chromium-browser || true)"
[ -n "$BROWSER" ] || { echo "screenshot-report: chromium not found (apt-get install -y chromium)" >&2; exit 1; }
PROFILE="$(mktemp -d)"
trap 'rm -rf "$PROFILE"' EXIT
"$BROWSER" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$PROFILE" --hide-scrollbars \
  --window-size="${WIDTH},${HEIGHT}" --screenshot="$(realpath -m "$OUT")" "file://$(realpath "$REPORT")" >/dev/null 2>&1
echo "$OUT"
