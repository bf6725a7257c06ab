#!/usr/bin/env bash
# The PDFs (app/pdf.py, WeasyPrint) need pango and its FreeType backend from Debian.
set -euo pipefail
if ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0'; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installerar Debian-paketen för PDF (pango) …" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null
  exit 0
fi
echo "PDF-filerna (WeasyPrint) kräver Debian-paketen libpango-1.0-0 och libpangoft2-1.0-0." >&2
echo "Installera dem med: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0" >&2
exit 1
