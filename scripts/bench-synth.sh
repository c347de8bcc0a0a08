#!/usr/bin/env bash
# `npm run bench:synth`: how long a synth takes, median of 5 runs each, side by side in one run (prints
# numbers, asserts nothing). The baseline is what `cdk8s init typescript-app` gives: a one-Pod chart
# (KubePod from imports/k8s.ts) run by `npx ts-node main.ts`, which type-checks and compiles on every run.
# Ours synthesizes every example (11 charts, validation, runbooks) through scripts/synth.js (one esbuild
# bundle, rebuilt when a source changed; no type check, `npm test` does that). Goals (issue #13): npm run synth
# ≤ 0.15× and npx cdk8s synth ≤ 0.40× the template's `cdk8s synth`.
#   bash scripts/bench-synth.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
root=$PWD
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# The template project: its cdk8s.yaml, tsconfig.json and main.ts with one Pod, our imports/k8s.ts.
template="$out/template"
mkdir -p "$template/imports"
cp node_modules/cdk8s-cli/templates/typescript-app/tsconfig.json node_modules/cdk8s-cli/templates/typescript-app/cdk8s.yaml "$template/"
cp imports/k8s.ts "$template/imports/"
ln -s "$(realpath node_modules)" "$template/node_modules"
cat > "$template/main.ts" <<'TS'
import { Construct } from 'constructs';
import { App, Chart, ChartProps } from 'cdk8s';
import { KubePod } from './imports/k8s';

export class MyChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = { }) {
    super(scope, id, props);
    new KubePod(this, 'Pod', { spec: { containers: [{ name: 'app', image: 'busybox:1.36' }] } });
  }
}

const app = new App();
new MyChart(app, 'template');
app.synth();
TS

# The routes timed, each run in its directory with its command; runs are interleaved (one of each, then
# again) so that a busy patch of this shared machine does not fall on one side only.
labels=(
  "template, one Pod: npx cdk8s synth (app: npx ts-node main.ts)"
  "template, one Pod: npx ts-node main.ts"
  "ours, all examples: npx cdk8s synth (app: node scripts/synth.js)"
  "ours, all examples: npm run synth (node scripts/synth.js)"
  "ours, all examples: node --import tsx main.ts (the previous app command)"
)
route() {
  case $1 in
    0) cd "$template" && npx cdk8s synth -o "$out/template-dist" ;;
    1) cd "$template" && CDK8S_OUTDIR="$out/template-direct" npx ts-node main.ts ;;
    2) cd "$root" && npx cdk8s synth -o "$out/cli" ;;
    3) cd "$root" && CDK8S_OUTDIR="$out/dist" npm run synth ;;
    4) cd "$root" && CDK8S_OUTDIR="$out/tsx" node --import tsx main.ts ;;
  esac
}
declare -A wall cpu
exec 3>&2 # the real stderr, while time's report goes to a file
TIMEFORMAT='%R %U %S'
for _ in $(seq "$runs"); do
  for i in "${!labels[@]}"; do
    # bash's time: wall seconds, then user and system CPU seconds of the command and its children.
    { time (route "$i" > /dev/null 2>&1 || { echo "failed: ${labels[$i]}" >&3; exit 1; }); } 2> "$out/time"
    read -r real user sys < "$out/time"
    wall[$i]+="$(awk -v s="$real" 'BEGIN { printf "%d", s * 1000 }') "
    cpu[$i]+="$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%d", (u + s) * 1000 }') "
  done
done
median() { tr ' ' '\n' <<< "$1" | grep . | sort -n | sed -n "$(( (runs + 1) / 2 ))p"; }
template_cli=$(median "${wall[0]}")
ours_cli=$(median "${wall[2]}")
ours=$(median "${wall[3]}")

echo "synth, median of $runs, $(nproc) cores, node $(node --version), load $(cut -d' ' -f1-3 /proc/loadavg):"
printf '  %-72s %9s %9s\n' "" "wall ms" "CPU ms"
for i in "${!labels[@]}"; do printf '  %-72s %9d %9d\n' "${labels[$i]}" "$(median "${wall[$i]}")" "$(median "${cpu[$i]}")"; done
# Wall time is what the goals speak of; CPU time is steadier when other work shares the machine.
node -e "
const [t, c, o, tc, cc, oc] = [$template_cli, $ours_cli, $ours, $(median "${cpu[0]}"), $(median "${cpu[2]}"), $(median "${cpu[3]}")];
console.log('  npm run synth / template cdk8s synth:   %s wall, %s CPU (goal <= 0.15)', (o / t).toFixed(2), (oc / tc).toFixed(2));
console.log('  npx cdk8s synth / template cdk8s synth: %s wall, %s CPU (goal <= 0.40)', (c / t).toFixed(2), (cc / tc).toFixed(2));"
