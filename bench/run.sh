#!/usr/bin/env bash
# One command: install what is missing (wrk, Prism, the project), then compare billing-mock with
# Prism on mockserver/openapi/billing.yaml.
# Usage: bash bench/run.sh [compare.py options, e.g. --duration 3]
set -euo pipefail
cd "$(dirname "$0")/.."

PRISM_VERSION="${PRISM_VERSION:-5}"

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (Debian package)" >&2
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

if [ ! -x /usr/bin/redis-server ]; then
  echo "installing redis-server (Debian package) for ours with --workers 2 on Redis" >&2
  apt-get update -qq && apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi

if [ ! -x bench/.node/node_modules/.bin/prism ]; then
  echo "installing @stoplight/prism-cli@${PRISM_VERSION} into bench/.node" >&2
  mkdir -p bench/.node
  npm install --prefix bench/.node --no-audit --no-fund --loglevel=error \
    "@stoplight/prism-cli@${PRISM_VERSION}" >&2
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
# The [contract] extra: the benchmark times billing-mock contract too.
if [ ! -x .venv/bin/billing-mock ] || ! .venv/bin/python -c "import mockserver.app, schemathesis" 2>/dev/null; then
  echo "installing the project into .venv (pip install -e '.[contract]')" >&2
  .venv/bin/pip install -q -e '.[contract]' >&2
fi

exec .venv/bin/python -W ignore bench/compare.py "$@"
