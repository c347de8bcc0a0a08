#!/usr/bin/env bash
# The command-line tools the project runs besides node, pinned, built into .tools/ (not committed):
# helm, which cdk8s' Helm construct runs to render lib/examples/helm/shop for the helm-example chart.
# npm runs this before `npm test` and `npm run synth` (the pretest and presynth hooks). Idempotent: a
# tool already at its pinned version is left alone, so a second run costs a fraction of a second.
# Needs Go (https://go.dev) and the Go module proxy; the first build of helm takes about 2.5 minutes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.tools/bin"

HELM_VERSION=v3.21.4
# What helm's own release build stamps in (its Makefile's LDFLAGS): without them a `go install` build
# says "v3.21" and assumes Kubernetes 1.20 for `.Capabilities.KubeVersion`. 1.36: the release's
# k8s.io/client-go v0.36.2, as its Makefile derives it.
HELM_LDFLAGS="-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
for pkg in pkg/lint/rules pkg/chartutil; do
  HELM_LDFLAGS+=" -X helm.sh/helm/v3/$pkg.k8sVersionMajor=1 -X helm.sh/helm/v3/$pkg.k8sVersionMinor=36"
done

# helm reads and writes only here, never in the user's ~/.cache, ~/.config or ~/.local/share
# (scripts/helm, which the helm-example chart runs, sets the same three).
export HELM_CACHE_HOME="$root/.tools/helm-home/cache"
export HELM_CONFIG_HOME="$root/.tools/helm-home/config"
export HELM_DATA_HOME="$root/.tools/helm-home/data"

helm_version() {
  [ -x "$bin/helm" ] && "$bin/helm" version --short 2> /dev/null || true
}

if [[ "$(helm_version)" == "$HELM_VERSION" ]]; then
  exit 0
fi

command -v go > /dev/null || {
  echo "install-tools: helm $HELM_VERSION is built with Go, and go is not on PATH. Install Go (https://go.dev/dl/), or put helm $HELM_VERSION at $bin/helm." >&2
  exit 1
}
echo "install-tools: building helm $HELM_VERSION into .tools/bin (about 2.5 minutes the first time)" >&2
mkdir -p "$bin" "$HELM_CACHE_HOME" "$HELM_CONFIG_HOME" "$HELM_DATA_HOME"
started=$SECONDS
GOBIN="$bin" go install -ldflags "$HELM_LDFLAGS" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
installed=$(helm_version)
if [[ "$installed" != "$HELM_VERSION" ]]; then
  echo "install-tools: $bin/helm says '${installed}', not $HELM_VERSION" >&2
  exit 1
fi
echo "install-tools: helm $installed in $((SECONDS - started)) s" >&2
