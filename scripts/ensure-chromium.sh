#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (Playwright cannot download its own here).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installerar Debian-paketet 'chromium' för webbläsartesterna …" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "Webbläsartesterna kräver Debian-paketet 'chromium' (/usr/bin/chromium)." >&2
echo "Installera det med: sudo apt-get install chromium" >&2
exit 1
