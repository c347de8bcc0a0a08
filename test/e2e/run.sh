#!/usr/bin/env bash
# npm run test:e2e [-- NAME-PART...]: plays dist/ in podman (see e2e.ts). Needs root (podman, apt).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash test/e2e/setup.sh
# First prove the harness catches broken manifests, then check the real ones.
npx tsx test/e2e/e2e.ts --self-test
npx tsx test/e2e/e2e.ts "$@"
