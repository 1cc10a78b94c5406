#!/usr/bin/env bash
# The browser tests drive Debian's chromium through Playwright (Playwright's own browser
# download is not used). Install it when we can; otherwise say exactly what is missing.
set -euo pipefail
if command -v chromium >/dev/null || [ -n "${CHROMIUM_PATH:-}" ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core >/dev/null
  exit 0
fi
echo "Chromium is missing for the browser tests. Install it: sudo apt-get install chromium" >&2
echo "(or set CHROMIUM_PATH to a Chromium/Chrome binary)." >&2
exit 1
