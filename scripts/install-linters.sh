#!/usr/bin/env bash
# The field's two manifest linters, pinned, installed into .tools/ (not committed), for
# test/linters.test.ts and scripts/lint-dist.sh (docs/linters.md):
# - kube-score v1.20.0 (Go module github.com/zegl/kube-score), built into .tools/bin;
# - checkov 3.3.30 (PyPI), in its own Python venv at .tools/checkov-venv.
# npm runs this before `npm test` (the pretest hook, after scripts/install-tools.sh). Idempotent: a
# tool already at its pinned version is left alone, so a second run costs about a second.
# Needs Go (https://go.dev) with the Go module proxy, and python3 with venv and the PyPI index.
# The first run takes about a minute for kube-score and two to four for checkov.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.tools/bin"
venv="$root/.tools/checkov-venv"

KUBE_SCORE_VERSION=v1.20.0
CHECKOV_VERSION=3.3.30

say() { echo "install-linters: $*" >&2; }

# kube-score: `go install` stamps no version (`kube-score version` says "dev"), so the module's
# version is read from the binary's build info, which `go version -m` prints for any Go binary.
kube_score_version() {
  [ -x "$bin/kube-score" ] && command -v go > /dev/null || return 0
  go version -m "$bin/kube-score" 2> /dev/null | awk '$1 == "mod" && $2 == "github.com/zegl/kube-score" { print $3 }'
}

if [[ "$(kube_score_version)" != "$KUBE_SCORE_VERSION" ]]; then
  command -v go > /dev/null || {
    say "kube-score $KUBE_SCORE_VERSION is built with Go, and go is not on PATH. Install Go (https://go.dev/dl/), or put kube-score $KUBE_SCORE_VERSION at $bin/kube-score."
    exit 1
  }
  say "building kube-score $KUBE_SCORE_VERSION into .tools/bin"
  mkdir -p "$bin"
  started=$SECONDS
  GOBIN="$bin" go install "github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION"
  installed=$(kube_score_version)
  [[ "$installed" == "$KUBE_SCORE_VERSION" ]] || { say "$bin/kube-score is '${installed}', not $KUBE_SCORE_VERSION"; exit 1; }
  say "kube-score $installed in $((SECONDS - started)) s"
fi

# checkov: its own venv, so that its many pinned dependencies never meet another Python project's.
# `checkov --version` takes two seconds (it imports everything), so the installed distribution's
# metadata folder is what says which version is there.
checkov_version() {
  [ -x "$venv/bin/checkov" ] || return 0
  local info
  for info in "$venv"/lib/python3*/site-packages/checkov-*.dist-info; do
    [ -d "$info" ] && basename "$info" .dist-info | sed 's/^checkov-//'
  done
}

if [[ "$(checkov_version)" != "$CHECKOV_VERSION" ]]; then
  command -v python3 > /dev/null || {
    say "checkov $CHECKOV_VERSION is installed with pip into a venv, and python3 is not on PATH. Install Python 3.9 to 3.12 with venv."
    exit 1
  }
  say "installing checkov $CHECKOV_VERSION into .tools/checkov-venv"
  started=$SECONDS
  [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
  installed=$(checkov_version)
  [[ "$installed" == "$CHECKOV_VERSION" ]] || { say "$venv/bin/checkov is '${installed}', not $CHECKOV_VERSION"; exit 1; }
  say "checkov $installed in $((SECONDS - started)) s"
fi
