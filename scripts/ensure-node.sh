#!/usr/bin/env bash
# npm installs the SCORM player's runtime (scorm-again, `make scorm-runtime`) and the OpenID
# Connect provider the sign-in tests run against (oidc-provider, `make idp`), with Debian's Node.js.
set -euo pipefail
if command -v node >/dev/null && command -v npm >/dev/null; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installerar Debian-paketen 'nodejs' och 'npm' (SCORM-spelaren och inloggningstesterna) …" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  exit 0
fi
echo "SCORM-spelaren och inloggningstesterna kräver Node.js och npm (Debian-paketen nodejs och npm)." >&2
echo "Installera dem med: sudo apt-get install nodejs npm" >&2
exit 1
