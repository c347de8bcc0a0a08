// The app `npm run bench:helm` synthesizes: BENCH_WORKLOADS (read here only) Deployments built as `npm run
// bench` builds them with our constructs (an init step, a sidecar, an ambassador and an adapter; 500 to a
// chart), written by AtomicSynthesis with their runbooks exactly as main.ts writes the examples. Run it the
// ways main.ts runs:
//   BENCH_WORKLOADS=1000 CDK8S_OUTDIR=/tmp/out node scripts/synth.js scripts/bench-app.ts   (npm run synth's route)
//   BENCH_WORKLOADS=1000 npx cdk8s synth --app 'node scripts/synth.js scripts/bench-app.ts' -o /tmp/out
import { AtomicSynthesis } from '../lib/output/synthesize';
import { benchCharts } from './bench';

const count = Number(process.env.BENCH_WORKLOADS);
if (!Number.isInteger(count) || count < 1) {
  console.error(`BENCH_WORKLOADS must be a whole number of workloads, at least 1 (it is '${process.env.BENCH_WORKLOADS ?? ''}').`);
  process.exit(1);
}
const { files } = AtomicSynthesis.synthesize({ addCharts: (app) => benchCharts(app, 'ours', count) });
console.error(`Synthesized ${files.length} files`);
