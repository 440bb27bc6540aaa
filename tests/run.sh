#!/usr/bin/env bash
# Run every test of billing-mock on a fresh Debian machine: installs what it needs, then pytest.
# Usage: bash tests/run.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'

exec .venv/bin/python -m pytest "$@"
