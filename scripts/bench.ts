// `npm run bench`: N Deployments, each with an init step, a sidecar, an ambassador and an adapter,
// built with our constructs versus the same containers built directly with cdk8s-plus-27.
// Each case runs in a child process of its own (so peak RSS is its own); prints numbers, asserts nothing.
//   node --import tsx scripts/bench.ts                 all cases at 1,000 and 10,000
//   node --import tsx scripts/bench.ts CASE COUNT      one case (what the parent runs)
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  Adapter,
  AdapterSource,
  Ambassador,
  AMBASSADOR_RESOURCES,
  CAPABILITY_ALL,
  containerResources,
  InitSteps,
  LOG_LINE_TO_JSON,
  PodComposition,
  restrictedSecurityContext,
  Sidecar,
} from '../lib';

const PER_CHART = 500;
const RESOURCES = containerResources(50, 100, 32, 64);
const LOG_DIR = '/var/log/app';
/** What the Ambassador renders for one upstream, written out by hand for the raw case. */
const FORWARDER = [
  'nc -ll -p 9000 -e nc db.data 5432 & pids="$!"',
  'while kill -0 $pids 2>/dev/null; do sleep 5; done',
  'echo "ambassador: a forwarder exited" >&2; exit 1',
].join('\n');

/** The same pod, built with our constructs. */
function withPatterns(chart: Chart, i: number): void {
  const workload = new kplus.Deployment(chart, `D${i}`, {
    metadata: { name: `app-${i}` },
    containers: [{ name: 'app', image: 'busybox:1.36', resources: RESOURCES }],
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
function raw(chart: Chart, i: number): void {
  const handOff = kplus.Volume.fromEmptyDir(chart, `Handoff${i}`, 'shared-handoff');
  const logs = kplus.Volume.fromEmptyDir(chart, `Logs${i}`, 'shared-var-log-app');
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
        securityContext: { capabilities: { drop: [CAPABILITY_ALL] } },
      },
    ],
  });
  ApiObject.of(workload).addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
  workload.containers[0].mount('/handoff', handOff, { readOnly: true });
  workload.containers[0].mount(LOG_DIR, logs);
  const helper = (name: string, script: string, extra: Partial<kplus.ContainerProps> = {}): kplus.ContainerProps => ({
    name, image: 'busybox:1.36', command: ['sh', '-c', script], resources: RESOURCES, securityContext: restrictedSecurityContext(), ...extra,
  });
  workload.addInitContainer(helper('setup', 'echo ok > "$HANDOFF_DIR/ready"', { envVariables: env({ HANDOFF_DIR: '/handoff' }) })).mount('/handoff', handOff);
  workload.addContainer(helper('log-shipper', `tail -F ${LOG_DIR}/app.log`)).mount(LOG_DIR, logs);
  workload.addContainer(helper('db', FORWARDER, { ports: [{ number: 9000 }], resources: AMBASSADOR_RESOURCES }));
  workload.addContainer(helper('log-normalizer', `tail -F -n +1 '${LOG_DIR}/app.log' | awk '${LOG_LINE_TO_JSON}'`)).mount(LOG_DIR, logs, { readOnly: true });
}

const CASES: Record<string, { build: (chart: Chart, i: number) => void; validate: boolean }> = {
  'raw cdk8s-plus-27': { build: raw, validate: true },
  'ours, no validation': { build: withPatterns, validate: false },
  'ours': { build: withPatterns, validate: true },
};

/** Builds and renders COUNT Deployments to YAML in this process; prints JSON figures. */
function runCase(name: string, count: number): void {
  if (!CASES[name].validate) {
    // Measures what our rules cost: the same synth with the whole-pod validation switched off.
    PodComposition.prototype.validate = () => [];
  }
  const start = process.hrtime.bigint();
  const app = new App({ outdir: os.tmpdir() });
  let chart = new Chart(app, 'c0');
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % PER_CHART === 0) chart = new Chart(app, `c${i / PER_CHART}`);
    CASES[name].build(chart, i);
  }
  const yaml = app.synthYaml();
  // BENCH_DUMP=file writes the YAML, to check that both cases build the same objects.
  if (process.env.BENCH_DUMP) fs.writeFileSync(process.env.BENCH_DUMP, yaml);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(JSON.stringify({ ms, rssMiB: process.resourceUsage().maxRSS / 1024, bytes: Buffer.byteLength(yaml) }));
}

function main(): void {
  const [name, count] = process.argv.slice(2);
  if (name) return runCase(name, Number(count));
  console.log(`${os.cpus().length} cores (${os.cpus()[0].model}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
  const results: Record<string, Record<number, { ms: number; rssMiB: number; bytes: number }>> = {};
  for (const count of [1000, 10000]) {
    for (const name of Object.keys(CASES)) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', __filename, name, String(count)], { maxBuffer: 1 << 20 });
      const r = JSON.parse(out.toString());
      (results[name] ??= {})[count] = r;
      console.log(`${String(count).padStart(6)} Deployments  ${name.padEnd(20)} ${(r.ms / 1000).toFixed(2).padStart(6)} s  ${r.rssMiB.toFixed(0).padStart(4)} MiB peak RSS  ${(r.bytes / 2 ** 20).toFixed(1).padStart(5)} MiB YAML`);
    }
  }
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  for (const count of [1000, 10000]) {
    const ours = results['ours'][count].ms;
    console.log(
      `${String(count).padStart(6)}: ours / raw ${ratio(ours, results['raw cdk8s-plus-27'][count].ms)}  ` +
        `(goal ≤ 1.15), validation adds ${((ours / results['ours, no validation'][count].ms - 1) * 100).toFixed(0)}% (goal ≤ 10%)`,
    );
  }
  console.log(`10k / 1k (ours): ${ratio(results['ours'][10000].ms, results['ours'][1000].ms)} (goal ≤ 11); peak RSS at 10k: ${results['ours'][10000].rssMiB.toFixed(0)} MiB (goal ≤ 512)`);
}

main();
