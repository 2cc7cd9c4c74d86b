#!/usr/bin/env bash
# The test command: installs everything the tests need (Python packages, Chromium + CJK fonts, Neo4j from
# Maven Central), starts the local Neo4j, runs pytest (extra arguments are passed on), stops Neo4j.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/browser.sh
bash scripts/libreoffice.sh   # briefing test (.pptx/.docx → PNG) and .doc/.wps plans (converted to .docx)
bash scripts/neo4j.sh install
settings="$(bash scripts/neo4j.sh start)"   # NEO4J_URI=… lines; the password is never echoed
eval "$settings"
export NEO4J_URI NEO4J_USER NEO4J_PASSWORD
trap 'bash scripts/neo4j.sh stop >/dev/null 2>&1 || true' EXIT
.venv/bin/python -m pytest "$@"
