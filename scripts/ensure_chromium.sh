#!/usr/bin/env bash
# System packages the test suite needs: Debian's chromium for the browser tests (driven by
# Playwright; Playwright's own browser download is not used) and the Pango/HarfBuzz
# libraries and fonts WeasyPrint uses for the monthly PDF report. Install them when we
# can (as root with apt); otherwise say exactly what is missing.
set -euo pipefail
packages=(chromium fonts-noto-core fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ -n "${CHROMIUM_PATH:-}" ]; then
  missing=("${missing[@]/chromium}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} for the browser and PDF tests ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "Missing system packages for the tests: ${missing[*]}" >&2
echo "Install them: sudo apt-get install ${missing[*]}  (or set CHROMIUM_PATH for the browser)." >&2
exit 1
