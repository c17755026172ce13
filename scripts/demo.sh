#!/usr/bin/env bash
# Build a case from the bundled samples, run every stage, then serve the workbench.
# LPOST_DEMO_SERVE=0 stops after processing (used by tests and CI).
set -euo pipefail
cd "$(dirname "$0")/.."
CASE="${1:-demo-case}"
LPOST=".venv/bin/lpost"
export LPOST_CASE="$CASE"

echo "== ingest the bundled samples into $CASE/"
$LPOST ingest samples/transcripts/radio_analyzer samples/audio --obtained "$(date +%F)"
echo "== run every stage (resumable: a second run only does what is missing)"
# Calls that came with a human translation (Radio-Analyzer's German or English) are not machine
# translated here, to keep the demo short; `lpost process --stages translate` translates them later.
$LPOST process --opt translate.skip_human_calls=true
$LPOST status

if $LPOST users --help >/dev/null 2>&1; then
  if ! $LPOST users list --json 2>/dev/null | grep -q '"admin"'; then
    PASSWORD="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(12))')"
    $LPOST users add demo --role admin --password "$PASSWORD" >/dev/null
    echo "$PASSWORD" > "$CASE/demo-password.txt"
    chmod 600 "$CASE/demo-password.txt"
  fi
  echo "== log in as 'demo'; the password is in $CASE/demo-password.txt"
fi
cat <<MSG

What to open next:
  .venv/bin/lpost calls --case $CASE              list the calls
  .venv/bin/lpost show 3 --case $CASE             one call with its turns, translation, entities, claims
  .venv/bin/lpost search 'танк' --case $CASE      search (any inflection; English finds Russian too)
  .venv/bin/lpost export 3 --format html --case $CASE -o call3.html
  .venv/bin/lpost process --stages translate --case $CASE   machine-translate the calls that have a human translation too
MSG
if [ "${LPOST_DEMO_SERVE:-1}" != "0" ] && $LPOST serve --help >/dev/null 2>&1; then
  echo "== serving the workbench at http://127.0.0.1:${LPOST_PORT:-8000}/  (Ctrl-C to stop)"
  exec $LPOST serve --case "$CASE" --port "${LPOST_PORT:-8000}"
fi
