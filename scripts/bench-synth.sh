#!/usr/bin/env bash
# Times synthesizing every example, in one run, best of 3 each (prints numbers, asserts nothing): the cdk8s
# template's way (ts-node, which type-checks and compiles main.ts and lib/ on every run) against ours
# (tsx, which only strips types), each run directly and through the cdk8s CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

best_of_3() {
  local best=999999
  for _ in 1 2 3; do
    local start end
    start=$(date +%s%N)
    CDK8S_OUTDIR="$out/dist" "$@" > /dev/null 2>&1
    end=$(date +%s%N)
    best=$(( (end - start) / 1000000 < best ? (end - start) / 1000000 : best ))
  done
  echo "$best"
}

template=$(best_of_3 npx ts-node main.ts)
ours=$(best_of_3 npm run synth)
template_cli=$(best_of_3 npx cdk8s synth --no-check-upgrade -o "$out/cli" --app "npx ts-node main.ts")
ours_cli=$(best_of_3 npx cdk8s synth --no-check-upgrade -o "$out/cli")
echo "synth of all examples, best of 3, $(nproc) cores, node $(node --version):"
printf '  %-62s %6d ms\n' \
  "template: npx ts-node main.ts" "$template" \
  "ours:     npm run synth (node --import tsx main.ts)" "$ours" \
  "template: npx cdk8s synth (app: npx ts-node main.ts)" "$template_cli" \
  "ours:     npx cdk8s synth (app: node --import tsx main.ts)" "$ours_cli"
node -e "console.log('  ours / template: %s direct, %s through the cdk8s CLI', ($ours / $template).toFixed(2), ($ours_cli / $template_cli).toFixed(2))"
