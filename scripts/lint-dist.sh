#!/usr/bin/env bash
# CI: kube-score and checkov on dist/*.k8s.yaml, every finding checked against the allow-list
# test/linters-allowed.json (docs/linters.md). Installs the pinned linters first (idempotent).
# Fails on a finding that is not listed; reports allow-list entries that match nothing any more
# (pass --strict to fail on those too). Runs offline once the linters are installed, in about 10 s.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-linters.sh
exec node --import tsx scripts/lint-dist.ts "$@"
