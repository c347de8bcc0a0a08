// The app `npm run bench:helm` synthesizes: BENCH_WORKLOADS (read here only) Deployments built as `npm run
// bench` builds them with our constructs (an init step, a sidecar, an ambassador and an adapter; 500 to a
// chart), written by AtomicSynthesis with their runbooks exactly as main.ts writes the examples. Run it the
// ways main.ts runs:
//   BENCH_WORKLOADS=1000 CDK8S_OUTDIR=/tmp/out node scripts/synth.js scripts/bench-app.ts   (npm run synth's route)
//   BENCH_WORKLOADS=1000 npx cdk8s synth --app 'node scripts/synth.js scripts/bench-app.ts' -o /tmp/out
// Other ways, for docs/performance.md:
//   BENCH_CASE=CASE       builds the workloads as that case of scripts/bench.ts does ('ours' by default; 'raw
//                         cdk8s-plus-27': the same objects without the library), still through AtomicSynthesis;
//   BENCH_APP_SYNTH=1     writes them with cdk8s' own app.synth() instead (into CDK8S_OUTDIR);
//   BENCH_RENDER_ONLY=1   only builds the app and renders each chart's objects as AtomicSynthesis does (cdk8s'
//                         whole-app passes once, then each chart's objects), writing nothing: the floor under
//                         the synth route, what building and rendering cost without YAML, runbooks and files.
// It prints to stderr what it did and the CPU time of the main thread and of the whole process.
import * as fs from 'fs';
import { App } from 'cdk8s';
import { AtomicSynthesis, chartFiles } from '../lib/output/synthesize';
import { benchCharts } from './bench';

const count = Number(process.env.BENCH_WORKLOADS);
if (!Number.isInteger(count) || count < 1) {
  console.error(`BENCH_WORKLOADS must be a whole number of workloads, at least 1 (it is '${process.env.BENCH_WORKLOADS ?? ''}').`);
  process.exit(1);
}
const kind = process.env.BENCH_CASE ?? 'ours';
if (process.env.BENCH_RENDER_ONLY || process.env.BENCH_APP_SYNTH) {
  const app = new App();
  benchCharts(app, kind, count);
  if (process.env.BENCH_RENDER_ONLY) {
    let objects = 0;
    for (const { objects: rendered } of chartFiles(app)) objects += rendered.length;
    console.error(`Rendered ${objects} objects, wrote nothing`);
  } else {
    app.synth();
    console.error(`app.synth() wrote ${fs.readdirSync(app.outdir).length} files`);
  }
} else {
  const { files } = AtomicSynthesis.synthesize({ addCharts: (app) => benchCharts(app, kind, count) });
  console.error(`Synthesized ${files.length} files`);
}
/** CPU seconds of the main thread (Linux: its /proc task, utime and stime in clock ticks). */
function mainThreadCpu(): number | undefined {
  try {
    const fields = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
const { user, system } = process.cpuUsage();
console.error(`CPU: main thread ${mainThreadCpu()?.toFixed(2) ?? '?'} s, process ${((user + system) / 1e6).toFixed(2)} s`);
