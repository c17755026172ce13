#!/usr/bin/env bash
# Debian packages Listening Post needs at run time and in tests; installs only what is missing.
#   libchromaprint1    audio fingerprints (near-duplicate detection, via pyacoustid)
#   ffmpeg             subtitle/media checks in tests, media export
#   chromium(-driver)  web UI tests and PDF reports (headless print)
#   poppler-utils      pdftoppm: PDF report checks
#   espeak-ng, sox     synthetic speech/noise in speech tests
#   postgresql         the PostgreSQL backend tests
set -euo pipefail
PKGS=(libchromaprint1 ffmpeg chromium chromium-driver poppler-utils espeak-ng sox postgresql postgresql-contrib fonts-dejavu-core)
if [ "${1:-}" = "--minimal" ]; then PKGS=(libchromaprint1); fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "missing Debian packages: ${missing[*]} (run as root: apt-get install ${missing[*]})" >&2; exit 1
  fi
fi
echo "installing Debian packages: ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
