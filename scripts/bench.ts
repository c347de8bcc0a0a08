// `npm run bench`: N Deployments, each with an init step, a sidecar, an ambassador and an adapter,
// built with our constructs versus the same objects built directly with cdk8s-plus-27 (equal as objects:
// test/bench-equivalence.test.ts; the YAML differs only in key order). Prints numbers, asserts nothing.
// The raw cases load the library only for its constants: it changes nothing in cdk8s, so they run cdk8s as it is.
//   node --import tsx scripts/bench.ts [--counts 1000,10000] [--repeats 3]
//       the driver: runs the cases in rounds (raw, ours, ours without validation, raw with as many
//       constructs as ours; then again), each run in a fresh process so that peak RSS is its own; prints
//       each case's medians, and each ratio as the median of the rounds' ratios with their range: the cases
//       of one round run back to back, under the same load, so pairing them cancels most of the
//       machine's drift
//   node --import tsx scripts/bench.ts CASE COUNT
//       one run in this process (what the driver starts); prints one JSON line: ms, cpuMs, rssMiB, bytes
// cpuMs is the process's CPU time (all its threads): on a machine other work keeps busy, it moves far
// less than the wall time, so compare both.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import { ApiObject, App, Chart, Duration, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-27';
import {
  Adapter,
  AdapterSource,
  Ambassador,
  InitSteps,
  PodComposition,
  Resources,
  RestrictedSecurity,
  Sidecar,
} from '../lib';

/** Deployments to a chart (scripts/bench-helm.ts's chart names them the same way). */
export const PER_CHART = 500;
const RESOURCES = Resources.container({ cpuMillis: { request: 50, limit: 100 }, memoryMebibytes: { request: 32, limit: 64 } });
const LOG_DIR = '/var/log/app';
/** What the Ambassador renders for one upstream, written out by hand for the raw case. */
const FORWARDER = [
  "trap 'exit 0' TERM",
  'nc -ll -p 9000 127.0.0.1 -e nc db.data 5432 & pids="$!"',
  'while kill -0 $pids 2>/dev/null; do sleep 5 & wait $!; done',
  'echo "ambassador: a forwarder exited" >&2; exit 1',
].join('\n');

/** The same pod, built with our constructs. */
export function withPatterns(chart: Chart, i: number): void {
  const workload = new kplus.Deployment(chart, `D${i}`, {
    metadata: { name: `app-${i}` },
    // The library never changes the app container: it hardens itself, as in the raw case.
    containers: [{ name: 'app', image: 'busybox:1.36', resources: RESOURCES, securityContext: RestrictedSecurity.container() }],
  });
  new InitSteps(chart, `Init${i}`, { workload, steps: [{ name: 'setup', command: ['sh', '-c', 'echo ok > "$HANDOFF_DIR/ready"'] }] });
  new Sidecar(chart, `LogShipper${i}`, { workload, name: 'log-shipper', sharedPath: LOG_DIR, command: ['sh', '-c', `tail -F ${LOG_DIR}/app.log`] });
  new Ambassador(chart, `Db${i}`, { workload, name: 'db', upstreams: [{ name: 'db', host: 'db.data', port: 5432 }] });
  new Adapter(chart, `LogNormalizer${i}`, { workload, name: 'log-normalizer', source: AdapterSource.logFile(`${LOG_DIR}/app.log`) });
}

/**
 * The same objects, built directly with cdk8s-plus-27: containers, volumes, env, security contexts,
 * the default-container annotation, and a JSON patch for the seccompProfile cdk8s-plus-27 cannot set.
 */
export function raw(chart: Chart, i: number): void {
  const handOff = kplus.Volume.fromEmptyDir(chart, `Handoff${i}`, 'shared-handoff-24861f', { sizeLimit: Resources.HAND_OFF_SIZE_LIMIT });
  const logs = kplus.Volume.fromEmptyDir(chart, `Logs${i}`, 'shared-var-log-app-cf0b1e', { sizeLimit: Resources.SHARED_DIRECTORY_SIZE_LIMIT });
  const env = (vars: Record<string, string>) => Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)]));
  const workload = new kplus.Deployment(chart, `D${i}`, {
    metadata: { name: `app-${i}` },
    podMetadata: { annotations: { 'kubectl.kubernetes.io/default-container': 'app' } },
    containers: [
      {
        name: 'app',
        image: 'busybox:1.36',
        resources: RESOURCES,
        envVariables: env({ HANDOFF_DIR: '/handoff', DB_ADDR: 'localhost:9000' }),
        securityContext: RestrictedSecurity.container(),
      },
    ],
  });
  // cdk8s-plus-27 takes ephemeral storage in whole gibibytes only: the helpers' mebibytes are patched in,
  // as quantities its 1.27 filter (which runs after the patches, reading each quantity's value) keeps.
  const { request, limit } = Resources.DEFAULT_EPHEMERAL_STORAGE;
  const storage = ['initContainers/0', 'containers/1', 'containers/2', 'containers/3'].flatMap((at) => [
    JsonPatch.add(`/spec/template/spec/${at}/resources/requests/ephemeral-storage`, { value: `${request}Mi` }),
    JsonPatch.add(`/spec/template/spec/${at}/resources/limits/ephemeral-storage`, { value: `${limit}Mi` }),
  ]);
  ApiObject.of(workload).addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }), ...storage);
  workload.containers[0].mount('/handoff', handOff, { readOnly: true });
  workload.containers[0].mount(LOG_DIR, logs);
  const helper = (name: string, script: string, extra: Partial<kplus.ContainerProps> = {}): kplus.ContainerProps => ({
    name, image: 'busybox:1.36', command: ['sh', '-c', script], resources: RESOURCES, securityContext: RestrictedSecurity.container(), ...extra,
  });
  workload.addInitContainer(helper('setup', 'echo ok > "$HANDOFF_DIR/ready"', { envVariables: env({ HANDOFF_DIR: '/handoff' }) })).mount('/handoff', handOff);
  workload.addContainer(helper('log-shipper', `tail -F ${LOG_DIR}/app.log`)).mount(LOG_DIR, logs);
  const listening = kplus.Probe.fromCommand(['grep', '-q', ':2328 00000000:0000 0A', '/proc/net/tcp'], { periodSeconds: Duration.seconds(1), failureThreshold: 30 });
  const serving = kplus.Probe.fromCommand(['grep', '-q', ':2328 00000000:0000 0A', '/proc/net/tcp']);
  workload.addContainer(helper('db', FORWARDER, {
    ports: [{ number: 9000 }], resources: Ambassador.DEFAULT_RESOURCES, startup: listening, readiness: serving, liveness: kplus.Probe.fromCommand(['pidof', 'nc']),
  }));
  workload.addContainer(helper('log-normalizer', `trap 'exit 0' TERM\ntail -F -n +1 '${LOG_DIR}/app.log' | awk '${Adapter.LOG_LINE_TO_JSON}' &\nwait $!`, {
    readiness: kplus.Probe.fromCommand(['sh', '-c', 'pidof tail && pidof awk']), liveness: kplus.Probe.fromCommand(['pidof', 'tail']),
  })).mount(LOG_DIR, logs, { readOnly: true });
}

/**
 * Raw, plus two bare constructs per workload: our four pattern constructs stand where raw has two
 * Volume constructs, and cdk8s walks every construct in each of its whole-app passes (21 at 10,000).
 * Ours against this case is what the library itself adds.
 */
export function rawSameConstructCount(chart: Chart, i: number): void {
  raw(chart, i);
  new Construct(chart, `PatternStandIn${i}a`);
  new Construct(chart, `PatternStandIn${i}b`);
}

type Figures = { ms: number; cpuMs: number; rssMiB: number; bytes: number };
const RAW = 'raw cdk8s-plus-27';
const OURS = 'ours';
const OURS_UNVALIDATED = 'ours, no validation';
const RAW_SAME_CONSTRUCTS = 'raw, 6 constructs';
const CASES: Record<string, { build: (chart: Chart, i: number) => void; validate: boolean }> = {
  [RAW]: { build: raw, validate: true },
  [OURS]: { build: withPatterns, validate: true },
  [OURS_UNVALIDATED]: { build: withPatterns, validate: false },
  [RAW_SAME_CONSTRUCTS]: { build: rawSameConstructCount, validate: true },
};

/** An app with `count` Deployments built the way case `name` builds them, PER_CHART to a chart. */
export function benchApp(name: string, count: number): App {
  const app = new App({ outdir: os.tmpdir() });
  benchCharts(app, name, count);
  return app;
}

/** Adds `count` Deployments built the way case `name` builds them to `app`, PER_CHART to a chart (`c0`, `c1`, …). */
export function benchCharts(app: App, name: string, count: number): void {
  let chart = new Chart(app, 'c0');
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % PER_CHART === 0) chart = new Chart(app, `c${i / PER_CHART}`);
    CASES[name].build(chart, i);
  }
}

/** Builds and renders COUNT Deployments to YAML in this process; prints JSON figures. */
function runCase(name: string, count: number): void {
  if (!CASES[name]) throw new Error(`Unknown case '${name}'. Use one of: ${Object.keys(CASES).map((c) => `'${c}'`).join(', ')}.`);
  if (!CASES[name].validate) {
    // Measures what our rules cost: the same synth with the whole-pod checks switched off.
    PodComposition.prototype._check = () => [];
  }
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const yaml = benchApp(name, count).synthYaml();
  // BENCH_DUMP=file writes the YAML, to look at what a case builds.
  if (process.env.BENCH_DUMP) fs.writeFileSync(process.env.BENCH_DUMP, yaml);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  const figures: Figures = { ms, cpuMs: (cpu.user + cpu.system) / 1000, rssMiB: process.resourceUsage().maxRSS / 1024, bytes: Buffer.byteLength(yaml) };
  console.log(JSON.stringify(figures));
}

function runInFreshProcess(name: string, count: number): Figures {
  const out = execFileSync(process.execPath, ['--import', 'tsx', __filename, name, String(count)], { maxBuffer: 1 << 20 });
  return JSON.parse(out.toString());
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function option(flag: string, fallback: string): string {
  const at = process.argv.indexOf(flag);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

/** The median of the per-round ratios `a[r] / b[r]` (rounds run the cases back to back), and their range. */
function pairedRatio(a: number[], b: number[]): string {
  const ratios = a.map((value, round) => value / b[round]);
  return `${median(ratios).toFixed(2)} [${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}]`;
}

function drive(): void {
  const counts = option('--counts', '1000,10000').split(',').map(Number);
  const repeats = Number(option('--repeats', '3'));
  console.log(
    `${os.cpus().length} cores (${os.cpus()[0].model}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; ` +
      `${repeats} rounds, each running every case once in a fresh process; figures are medians, ratios the median of the rounds' ratios [their range]`,
  );
  const runsByCount: Record<number, Record<string, Figures[]>> = {};
  const figuresOf = (count: number, name: string, figure: keyof Figures) => runsByCount[count][name].map((f) => f[figure]);
  const medianOf = (count: number, name: string, figure: keyof Figures) => median(figuresOf(count, name, figure));
  for (const count of counts) {
    const runs: Record<string, Figures[]> = (runsByCount[count] = {});
    for (let r = 0; r < repeats; r++) {
      for (const name of Object.keys(CASES)) (runs[name] ??= []).push(runInFreshProcess(name, count));
    }
    for (const name of Object.keys(runs)) {
      console.log(
        `${String(count).padStart(6)} Deployments  ${name.padEnd(21)} ${(medianOf(count, name, 'ms') / 1000).toFixed(2).padStart(6)} s  ` +
          `${(medianOf(count, name, 'cpuMs') / 1000).toFixed(2).padStart(6)} s CPU  ${medianOf(count, name, 'rssMiB').toFixed(0).padStart(4)} MiB peak RSS  ` +
          `${(runs[name][0].bytes / 2 ** 20).toFixed(1).padStart(5)} MiB YAML`,
      );
    }
  }
  for (const count of counts) {
    const paired = (a: string, b: string, figure: keyof Figures) => pairedRatio(figuresOf(count, a, figure), figuresOf(count, b, figure));
    console.log(
      `${String(count).padStart(6)}: ours / raw time ${paired(OURS, RAW, 'ms')} (CPU ${paired(OURS, RAW, 'cpuMs')}; goal ≤ 1.10), ` +
        `ours / ours without validation ${paired(OURS, OURS_UNVALIDATED, 'ms')} (CPU ${paired(OURS, OURS_UNVALIDATED, 'cpuMs')}; goal ≤ 1.05), ` +
        `ours / raw peak RSS ${paired(OURS, RAW, 'rssMiB')} (goal ≤ 1.05); ` +
        `against raw with as many constructs: time ${paired(OURS, RAW_SAME_CONSTRUCTS, 'ms')}, peak RSS ${paired(OURS, RAW_SAME_CONSTRUCTS, 'rssMiB')}`,
    );
  }
  if (counts.length > 1) {
    const [small, large] = [counts[0], counts[counts.length - 1]];
    console.log(
      `${large} / ${small}: ours ${(medianOf(large, OURS, 'ms') / medianOf(small, OURS, 'ms')).toFixed(2)}, raw ${(medianOf(large, RAW, 'ms') / medianOf(small, RAW, 'ms')).toFixed(2)} ` +
        `(goal ≤ ${(large / small).toFixed(0)}); peak RSS ours at ${large}: ${medianOf(large, OURS, 'rssMiB').toFixed(0)} MiB`,
    );
  }
}

if (require.main === module) {
  const [name, count] = process.argv.slice(2);
  if (name && !name.startsWith('--')) runCase(name, Number(count));
  else drive();
}
