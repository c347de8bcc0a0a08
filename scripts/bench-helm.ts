// `npm run bench:helm`: our synth against `helm template`, whole processes measured from outside, on the same
// objects. Prints numbers and whether the goals of docs/performance.md are met; exits 1 only when the two
// sides do not produce the same objects.
//   node --import tsx scripts/bench-helm.ts [--counts 1000,10000] [--repeats 3] [--100k] [--raw] [--floor] [--check-only] [--keep]
// What it does:
// 1. Synthesizes one workload of `npm run bench`'s Deployment (an init step, a sidecar, an ambassador and an
//    adapter; scripts/bench-app.ts) through our own route and turns that output into a Helm chart whose one
//    template `range`s over `.Values.workloads` and renders that Deployment with its index substituted: the
//    name, and the `cdk8s.io/metadata.addr` label, which helm computes as constructs does (sha1 of the path).
// 2. Checks, at 3 and at 501 workloads (two charts of ours), that `helm template` and ours parse to the
//    same objects, in the same order (key order aside, as `yaml` parses both).
// 3. Runs, interleaved in rounds (each route once, then again), at each count:
//    - ours, `npm run synth`'s route: `node scripts/synth.js scripts/bench-app.ts` (the command `npm run
//      synth` runs, with the bench app as entry: the bundle, AtomicSynthesis, runbooks, into a new directory);
//    - ours through the cdk8s CLI: `npx cdk8s synth --app 'node scripts/synth.js scripts/bench-app.ts' -o DIR`,
//      and `npx cdk8s --version` alone, the CLI's own start, to subtract;
//    - `helm template bench CHART --set workloads=N > FILE` (helm v3.21.4 from scripts/install-tools.sh).
//    --raw adds npm run bench's raw cdk8s-plus-27 app through AtomicSynthesis and through cdk8s' app.synth();
//    --floor the bench app (ours and raw) only built and rendered, no YAML, no file: cdk8s' own cost.
//    Each process is timed by /usr/bin/time: wall, user + system CPU (its children included), peak RSS
//    (the largest of the process and its children). Ratios are medians of the rounds' own ratios [range].
// 100,000 workloads (--100k, or --counts 100000) take minutes and gigabytes: by hand, never in CI.
import { execFileSync, spawnSync } from 'child_process';
import { isDeepStrictEqual } from 'util';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import { PER_CHART } from './bench';

const root = path.join(__dirname, '..');
const HELM = path.join(root, 'scripts', 'helm');
const APP = 'node scripts/synth.js scripts/bench-app.ts';
const NAME = '__BENCH_NAME__';
const ADDR = '__BENCH_ADDR__';

type Figures = { wall: number; cpu: number; rssMiB: number };
type Route = { label: string; run: (count: number, work: string) => Figures };

function option(flag: string, fallback: string): string {
  const at = process.argv.indexOf(flag);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Runs `command` with `args` under /usr/bin/time; stdout to `stdoutFile` (else discarded). Throws if it fails. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv, work: string, stdoutFile?: string): Figures {
  const report = path.join(work, 'time.txt');
  const out = stdoutFile ? fs.openSync(stdoutFile, 'w') : 'ignore';
  const result = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', report, command, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', out, 'pipe'],
    maxBuffer: 64 << 20,
  });
  if (typeof out === 'number') fs.closeSync(out);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stderr.toString().slice(-3000)}`);
  }
  const [wall, user, system, maxKiB] = fs.readFileSync(report, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return { wall, cpu: user + system, rssMiB: maxKiB / 1024 };
}

let directoriesMade = 0;

/**
 * A directory under `work` that no run used yet. None is deleted before the bench ends: on ext4 without a
 * journal (this machine's disk), creating a file skips every inode freed in the last 60 to 360 seconds, one by
 * one, so deleting the previous run's thousands of files just before a run made each file it created cost
 * 4 to 10 times more (0.08-0.2 ms instead of 0.02 ms here): a cost of the bench, not of synth, and one helm, which
 * writes a single file, never paid.
 */
function freshDirectory(work: string, name: string): string {
  return path.join(work, `${name}-${++directoriesMade}`);
}

/**
 * Our `npm run synth` route: the command npm runs, with the bench app as the bundle's entry; `env` chooses what
 * it builds and how it writes (scripts/bench-app.ts).
 */
function synthRoute(count: number, work: string, outdir = freshDirectory(work, 'ours'), env: Record<string, string> = {}): Figures {
  return timed('node', ['scripts/synth.js', 'scripts/bench-app.ts'], { ...env, BENCH_WORKLOADS: String(count), CDK8S_OUTDIR: outdir }, work);
}

/** The bench app through the same route, with `env` choosing what it builds and how it writes. */
function benchApp(env: Record<string, string>): (count: number, work: string) => Figures {
  return (count, work) => synthRoute(count, work, freshDirectory(work, 'other'), env);
}

const RAW = 'raw cdk8s-plus-27';
const ROUTES: Route[] = [
  { label: 'helm template', run: (count, work) => timed(HELM, ['template', 'bench', path.join(work, 'chart'), '--set', `workloads=${count}`], {}, work, path.join(work, 'helm.yaml')) },
  { label: 'ours: npm run synth route', run: (count, work) => synthRoute(count, work) },
  {
    label: 'ours: npx cdk8s synth',
    run: (count, work) => timed('npx', ['cdk8s', 'synth', '--app', APP, '-o', freshDirectory(work, 'cli')], { BENCH_WORKLOADS: String(count) }, work),
  },
  { label: 'npx cdk8s --version', run: (_count, work) => timed('npx', ['cdk8s', '--version'], {}, work) },
  // --raw: the same objects built with cdk8s-plus-27 alone (npm run bench's raw case), through AtomicSynthesis
  // and through cdk8s' own app.synth(): what a raw cdk8s app gains by switching (issue #34 item 3).
  ...(process.argv.includes('--raw')
    ? [
        { label: `${RAW}: AtomicSynthesis`, run: benchApp({ BENCH_CASE: RAW }) },
        { label: `${RAW}: app.synth()`, run: benchApp({ BENCH_CASE: RAW, BENCH_APP_SYNTH: '1' }) },
      ]
    : []),
  // --floor: building the app and rendering its charts' objects, no YAML, no file: cdk8s' own cost, under any route.
  ...(process.argv.includes('--floor')
    ? [
        { label: 'floor: ours, render only', run: benchApp({ BENCH_RENDER_ONLY: '1' }) },
        { label: `floor: ${RAW}, render only`, run: benchApp({ BENCH_CASE: RAW, BENCH_RENDER_ONLY: '1' }) },
      ]
    : []),
];

/**
 * The Helm chart: our own output for workload 0 (through our route), with its two index-dependent values
 * replaced by template expressions. Checks that the index shows up nowhere else.
 */
function writeChart(work: string): void {
  const one = path.join(work, 'one');
  synthRoute(1, work, one); // also builds the bench app's bundle, so no timed run pays for esbuild
  const docs = parseAllDocuments(fs.readFileSync(path.join(one, 'c0.k8s.yaml'), 'utf8')).map((doc) => doc.toJSON());
  if (docs.length !== 1) throw new Error(`expected one object for one workload, found ${docs.length}`);
  const addr = docs[0].spec.selector.matchLabels['cdk8s.io/metadata.addr'];
  if (docs[0].metadata.name !== 'app-0' || !/^c0-D0-c8[0-9a-f]{6}$/.test(addr)) throw new Error(`unexpected name or address label: ${docs[0].metadata.name}, ${addr}`);
  let replaced = 0;
  const substitute = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(substitute);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v)]));
    if (value === 'app-0' || value === addr) {
      replaced++;
      return value === addr ? ADDR : NAME;
    }
    if (typeof value === 'string' && (value.includes('app-0') || value.includes('c0-D0'))) throw new Error(`the index is part of '${value}': the chart would not substitute it`);
    return value;
  };
  const template = stringify(substitute(docs[0]), { lineWidth: 0, version: '1.1' });
  if (replaced !== 3) throw new Error(`expected the name once and the address label twice, replaced ${replaced} values`);
  const body = template
    .replace(/\{\{|\}\}/g, (braces) => `{{ "${braces}" }}`) // literal braces in the scripts, if any
    .split(NAME).join('app-{{ $i }}')
    .split(ADDR).join('{{ $addr }}');
  const chart = path.join(work, 'chart');
  fs.mkdirSync(path.join(chart, 'templates'), { recursive: true });
  fs.writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: bench\nversion: 0.1.0\ndescription: npm run bench\'s Deployment, N times (scripts/bench-helm.ts)\n');
  fs.writeFileSync(path.join(chart, 'values.yaml'), 'workloads: 1\n');
  fs.writeFileSync(
    path.join(chart, 'templates', 'deployments.yaml'),
    [
      '{{- range $i := until (int .Values.workloads) }}',
      // cdk8s-plus' address label: chart c<i / PER_CHART>, construct D<i>; constructs' addr is "c8" and the
      // sha1 of the path's components (the app's, '', first), each followed by a newline.
      `{{- $chart := div $i ${PER_CHART} }}`,
      '{{- $addr := printf "c%d-D%d-c8%s" $chart $i (sha1sum (printf "\\nc%d\\nD%d\\n" $chart $i) | trunc 6) }}',
      '---',
      body.trimEnd(),
      '{{- end }}',
      '',
    ].join('\n'),
  );
}

/** Every object of ours (chart files in chart order) against helm's, as parsed objects in order. */
function checkSameObjects(count: number, work: string): void {
  const ours = freshDirectory(work, 'check-ours');
  synthRoute(count, work, ours);
  const chartFiles = fs.readdirSync(ours).filter((name) => name.endsWith('.k8s.yaml'));
  chartFiles.sort((a, b) => Number(a.slice(1, -'.k8s.yaml'.length)) - Number(b.slice(1, -'.k8s.yaml'.length)));
  const parse = (text: string) => parseAllDocuments(text).map((doc) => doc.toJSON()).filter((object) => object !== null);
  const ourObjects = chartFiles.flatMap((name) => parse(fs.readFileSync(path.join(ours, name), 'utf8')));
  const helmObjects = parse(execFileSync(HELM, ['template', 'bench', path.join(work, 'chart'), '--set', `workloads=${count}`], { maxBuffer: 1 << 30 }).toString());
  if (ourObjects.length !== count || helmObjects.length !== count) throw new Error(`${count} workloads: ours ${ourObjects.length} objects, helm ${helmObjects.length}`);
  const differ = ourObjects.findIndex((object, i) => !isDeepStrictEqual(object, helmObjects[i]));
  if (differ >= 0) {
    throw new Error(`${count} workloads: object ${differ} differs.\nours:\n${stringify(ourObjects[differ])}\nhelm:\n${stringify(helmObjects[differ])}`);
  }
  console.log(`  ${count} workloads: helm's ${helmObjects.length} objects are ours, in the same order (ours also wrote ${fs.readdirSync(ours).length - chartFiles.length - 1} runbooks)`);
}

function load(): string {
  return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** Busy share of all cores since `since` (from /proc/stat), to tell how loaded the machine was while we ran. */
function cpuTimes(): { busy: number; total: number } {
  const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3] + fields[4];
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

function main(): void {
  const counts = [...option('--counts', '1000,10000').split(',').map(Number), ...(process.argv.includes('--100k') ? [100000] : [])];
  const repeats = Number(option('--repeats', '3'));
  const helmVersion = execFileSync(HELM, ['version', '--short']).toString().trim();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-helm-'));
  try {
    console.log(
      `${os.cpus().length} cores (${os.cpus()[0].model}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, helm ${helmVersion}; ` +
        `load average ${load()} at start`,
    );
    writeChart(work);
    console.log(`The chart (${path.join(work, 'chart')}) against ours:`);
    checkSameObjects(3, work);
    checkSameObjects(PER_CHART + 1, work);
    if (process.argv.includes('--check-only')) return;
    console.log(`${repeats} rounds, each running every route once in a fresh process; figures are medians, ratios the median of the rounds' ratios [their range]`);
    const summary: string[] = [];
    for (const count of counts) {
      const runs = new Map<string, Figures[]>(ROUTES.map((route) => [route.label, []]));
      const loads: string[] = [];
      const before = cpuTimes();
      let ownCpu = 0;
      for (let round = 0; round < repeats; round++) {
        loads.push(load().split(' ')[0]);
        for (const route of ROUTES) {
          const figures = route.run(count, work);
          ownCpu += figures.cpu;
          runs.get(route.label)!.push(figures);
        }
      }
      const after = cpuTimes();
      const ticks = 100; // /proc/stat counts in USER_HZ, 100 a second on Linux
      const elapsedCoreSeconds = (after.total - before.total) / ticks;
      const othersShare = Math.max(0, (after.busy - before.busy) / ticks - ownCpu) / elapsedCoreSeconds;
      const figuresOf = (label: string, key: keyof Figures) => runs.get(label)!.map((f) => f[key]);
      console.log(`${count} workloads (load average at each round's start: ${loads.join(', ')}; other processes kept ${(othersShare * 100).toFixed(0)} % of the cores busy):`);
      const helm = (key: keyof Figures) => figuresOf('helm template', key);
      const ratio = (a: number[], b: number[]) => {
        const ratios = a.map((value, i) => value / b[i]);
        return `${median(ratios).toFixed(2)} [${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}]`;
      };
      for (const route of ROUTES) {
        console.log(
          `  ${route.label.padEnd(40)} ${median(figuresOf(route.label, 'wall')).toFixed(2).padStart(7)} s wall ` +
            `${median(figuresOf(route.label, 'cpu')).toFixed(2).padStart(7)} s CPU ${median(figuresOf(route.label, 'rssMiB')).toFixed(0).padStart(6)} MiB peak RSS` +
            (route.label === 'helm template' ? '' : `   / helm: wall ${ratio(figuresOf(route.label, 'wall'), helm('wall'))}`),
        );
      }
      const ours = (key: keyof Figures) => figuresOf('ours: npm run synth route', key);
      const appPart = (key: 'wall' | 'cpu') => figuresOf('ours: npx cdk8s synth', key).map((v, i) => v - figuresOf('npx cdk8s --version', key)[i]);
      const wallGoal = count <= 1000 ? '< 1.00' : '≤ 0.90';
      const lines = [
        `  ours (npm run synth route) / helm: wall ${ratio(ours('wall'), helm('wall'))} (goal ${wallGoal}), CPU ${ratio(ours('cpu'), helm('cpu'))}, peak RSS ${ratio(ours('rssMiB'), helm('rssMiB'))}${count >= 10000 ? ' (goal ≤ 1.00)' : ''}`,
        `  ours (npx cdk8s synth less npx cdk8s --version: ${median(appPart('wall')).toFixed(2)} s wall, ${median(appPart('cpu')).toFixed(2)} s CPU) / helm: wall ${ratio(appPart('wall'), helm('wall'))} (goal < 1.00), CPU ${ratio(appPart('cpu'), helm('cpu'))}`,
      ];
      for (const line of lines) console.log(line);
      summary.push(`${count}: ${median(ours('wall')).toFixed(2)} s, ${median(ours('rssMiB')).toFixed(0)} MiB ours; ${median(helm('wall')).toFixed(2)} s, ${median(helm('rssMiB')).toFixed(0)} MiB helm`);
    }
    if (counts.length > 1) console.log(`Growth (medians): ${summary.join('; ')}`);
    console.log(`load average ${load()} at the end`);
  } finally {
    // --keep leaves the chart and every output, to look at or to run by hand.
    if (process.argv.includes('--keep')) console.log(`kept ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
}

main();
