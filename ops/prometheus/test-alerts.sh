#!/usr/bin/env bash
# `npm run alerts:test`: checks ops/prometheus/alerts.yml and runs its unit tests with promtool (Debian's
# `prometheus` package; CI installs it, see .ci/run). Each alert has a case that fires and one that does not.
set -Eeuo pipefail
cd "$(dirname "$0")"
if ! command -v promtool > /dev/null; then
  echo "promtool not found: install Debian's prometheus package (apt-get install --no-install-recommends prometheus)" >&2
  exit 1
fi
promtool --version 2>&1 | sed -n 1p
promtool check rules alerts.yml
promtool test rules alerts.test.yml
