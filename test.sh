#!/usr/bin/env bash
# Runs every test against the real services: starts the local stack if needed, runs ./mvnw verify, and
# stops the stack again if this script started it (also when the tests fail).
set -euo pipefail
cd "$(dirname "$0")"
source stack/lib.sh
started=0
if ! running kafka || ! running keycloak || ! running s3proxy; then started=1; fi
cleanup() { if (( started )); then bash stack/down.sh; fi; }
trap cleanup EXIT
bash stack/up.sh
bash stack/install-interop-deps.sh   # DICOM toolkit (Debian) into the local Maven repository, dcmtk for fixtures
bash stack/install-browser.sh       # Debian Chromium + chromedriver for the portal browser tests
./mvnw -B verify "$@"
