#!/usr/bin/env bash
# SAML (app/auth/saml.py, pysaml2) signs and verifies XML with Debian's xmlsec1 program.
set -euo pipefail
if command -v xmlsec1 >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installerar Debian-paketet 'xmlsec1' för SAML-inloggningen …" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xmlsec1 >/dev/null
  exit 0
fi
echo "SAML-inloggningen (pysaml2) kräver Debian-paketet 'xmlsec1' (programmet xmlsec1)." >&2
echo "Installera det med: sudo apt-get install xmlsec1" >&2
exit 1
