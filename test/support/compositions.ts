import { App, Chart, Cron, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import {
  Adapter,
  AdapterSource,
  Ambassador,
  CAPABILITY_NET_BIND_SERVICE,
  InitSteps,
  KubernetesTarget,
  KubernetesVersion,
  Resources,
  RestrictedSecurity,
  Sidecar,
  SidecarMode,
} from '../../lib';
import { KEEP_RUNNING } from './synth';

// Random compositions of the four patterns on every workload kind, for the property tests: valid ones,
// one user mistake applied to a valid one, and careless inputs (partial security contexts, ports, names, patches).

const KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'] as const;
type Kind = (typeof KINDS)[number];
type PatternType = 'init' | 'sidecar' | 'ambassador' | 'adapter';

interface PatternSpec {
  type: PatternType;
  resources: [number, number, number, number];
  mode?: SidecarMode;
  statsSource: boolean;
  upstreams: number;
}

interface Composition {
  kind: Kind;
  native: boolean;
  patterns: PatternSpec[];
}

/** cpu request ≤ limit, memory request ≤ limit, in millicores and mebibytes. */
const resources = fc
  .tuple(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 256 }), fc.integer({ min: 0, max: 256 }))
  .map(([cpu, cpuExtra, memory, memoryExtra]): [number, number, number, number] => [cpu, cpu + cpuExtra, memory, memory + memoryExtra]);

const patternSpec = fc.record({
  type: fc.constantFrom<PatternType>('init', 'sidecar', 'ambassador', 'adapter'),
  resources,
  mode: fc.option(fc.constantFrom(SidecarMode.CLASSIC, SidecarMode.NATIVE), { nil: undefined }),
  statsSource: fc.boolean(),
  upstreams: fc.integer({ min: 1, max: 3 }),
});

/** A valid composition: modes only where the kind and target allow them. */
export const composition: fc.Arbitrary<Composition> = fc
  .record({ kind: fc.constantFrom(...KINDS), native: fc.boolean(), patterns: fc.array(patternSpec, { minLength: 1, maxLength: 6 }) })
  .map((c) => {
    const runsToCompletion = c.kind === 'Job' || c.kind === 'CronJob';
    const native = c.native || runsToCompletion;
    const modeAllowed = (mode?: SidecarMode) =>
      (mode !== SidecarMode.NATIVE || native) && (mode !== SidecarMode.CLASSIC || !runsToCompletion);
    return { ...c, native, patterns: c.patterns.map((p) => ({ ...p, mode: modeAllowed(p.mode) ? p.mode : undefined })) };
  });

function createWorkload(chart: Chart, kind: Kind): kplus.AbstractPod {
  const props = {
    securityContext: RestrictedSecurity.POD,
    containers: [
      {
        name: 'app',
        image: 'registry.example.com/team/app:1.0.0',
        ports: [{ number: 8080 }],
        resources: Resources.container({ cpuMillis: { request: 100, limit: 200 }, memoryMebibytes: { request: 64, limit: 128 } }),
        // The library never changes a container it did not add: the app hardens itself.
        securityContext: RestrictedSecurity.container(),
      },
    ],
  };
  switch (kind) {
    case 'Pod':
      return new kplus.Pod(chart, 'Workload', props);
    case 'Deployment':
      return new kplus.Deployment(chart, 'Workload', props);
    case 'StatefulSet':
      return new kplus.StatefulSet(chart, 'Workload', props);
    case 'DaemonSet':
      return new kplus.DaemonSet(chart, 'Workload', props);
    case 'Job':
      return new kplus.Job(chart, 'Workload', props);
    case 'CronJob':
      return new kplus.CronJob(chart, 'Workload', { ...props, schedule: Cron.daily() });
  }
}

/** Builds the composition in a chart of `app`; each pattern gets its own name and ports. */
export function build(app: App, c: Composition): Chart {
  const chart = new Chart(app, 'generated');
  if (c.native) KubernetesTarget.set(chart, KubernetesVersion.V1_29);
  const workload = createWorkload(chart, c.kind);
  let init: InitSteps | undefined;
  c.patterns.forEach((p, i) => {
    const [cpuRequest, cpuLimit, memoryRequest, memoryLimit] = p.resources;
    const common = { workload, resources: Resources.container({ cpuMillis: { request: cpuRequest, limit: cpuLimit }, memoryMebibytes: { request: memoryRequest, limit: memoryLimit } }) };
    switch (p.type) {
      case 'init':
        init ??= new InitSteps(chart, 'Init', { workload });
        init.addStep({ name: `step-${i}`, resources: common.resources });
        break;
      case 'sidecar':
        new Sidecar(chart, `Sidecar${i}`, { ...common, command: KEEP_RUNNING, mode: p.mode, sharedPath: i % 2 ? '/var/log/app' : '/data' });
        break;
      case 'ambassador':
        new Ambassador(chart, `Ambassador${i}`, {
          ...common,
          mode: p.mode,
          firstPort: 9000 + 10 * i,
          upstreams: Array.from({ length: p.upstreams }, (_, u) => ({ name: `shard-${i}-${u}`, host: `shard-${u}.db`, port: 5432 })),
        });
        break;
      case 'adapter':
        new Adapter(chart, `Adapter${i}`, {
          ...common,
          mode: p.mode,
          metricsPort: 9500 + i,
          metricsPortName: `metrics-${i}`,
          source: p.statsSource ? AdapterSource.statsEndpoint(8080, '/stats') : AdapterSource.logFile('/var/log/app/app.log'),
        });
        break;
    }
  });
  return chart;
}

export function duplicates(values: unknown[]): unknown[] {
  return values.filter((v, i) => values.indexOf(v) !== i);
}

/** One mistake a user can make, applied to a valid composition. */
export const FAULTS: Record<string, (app: App, c: Composition) => void> = {
  'bad container name': (app, c) => {
    const chart = build(app, c);
    new Sidecar(chart, 'Bad', { command: KEEP_RUNNING, workload: workloadOf(chart), name: 'Bad_Name', mode: modeFor(c) });
  },
  'duplicate container name': (app, c) => {
    const chart = build(app, c);
    new Sidecar(chart, 'Dup', { command: KEEP_RUNNING, workload: workloadOf(chart), name: 'app', mode: modeFor(c) });
  },
  'port collision': (app, c) => {
    const chart = build(app, c);
    new Ambassador(chart, 'Clash', { workload: workloadOf(chart), port: 8080, mode: modeFor(c), upstreams: [{ name: 'x', host: 'x', port: 1 }] });
  },
  'request above limit': (app, c) => {
    const chart = build(app, c);
    new Sidecar(chart, 'Greedy', { command: KEEP_RUNNING, workload: workloadOf(chart), mode: modeFor(c), resources: Resources.container({ cpuMillis: { request: 300, limit: 200 }, memoryMebibytes: { request: 10, limit: 20 } }) });
  },
  'empty image': (app, c) => {
    const chart = build(app, c);
    new Sidecar(chart, 'NoImage', { command: KEEP_RUNNING, workload: workloadOf(chart), image: '', mode: modeFor(c) });
  },
  'bad env name': (app, c) => {
    const chart = build(app, c);
    new Sidecar(chart, 'Env', { command: KEEP_RUNNING, workload: workloadOf(chart), mode: modeFor(c), envVariables: { 'BAD NAME': kplus.EnvValue.fromValue('1') } });
  },
  'no upstreams': (app, c) => {
    const chart = build(app, c);
    new Ambassador(chart, 'Empty', { workload: workloadOf(chart), upstreams: [] });
  },
  'port out of range': (app, c) => {
    const chart = build(app, c);
    new Ambassador(chart, 'Far', { workload: workloadOf(chart), firstPort: 70000, upstreams: [{ name: 'x', host: 'x', port: 1 }] });
  },
  'adapter without source': (app, c) => {
    const chart = build(app, c);
    new Adapter(chart, 'Nothing', { workload: workloadOf(chart) } as unknown as ConstructorParameters<typeof Adapter>[2]);
  },
  'bad label': (app, c) => {
    const chart = build(app, c);
    workloadOf(chart).metadata.addLabel('bad label', 'x');
  },
  'native on 1.27': (app, c) => {
    const chart = build(app, { ...c, kind: 'Deployment', native: false, patterns: c.patterns.map((p) => ({ ...p, mode: undefined })) });
    new Sidecar(chart, 'Native', { command: KEEP_RUNNING, workload: workloadOf(chart), mode: SidecarMode.NATIVE });
  },
  'classic on a Job': (app, c) => {
    const chart = build(app, { ...c, kind: 'Job', native: true, patterns: c.patterns.map((p) => ({ ...p, mode: undefined })) });
    new Sidecar(chart, 'Classic', { command: KEEP_RUNNING, workload: workloadOf(chart), mode: SidecarMode.CLASSIC });
  },
};

export function workloadOf(chart: Chart): kplus.AbstractPod {
  return chart.node.findChild('Workload') as kplus.AbstractPod;
}

/** A mode valid for the composition, so only the injected fault is wrong. */
export function modeFor(c: Composition): SidecarMode | undefined {
  return c.kind === 'Job' || c.kind === 'CronJob' ? SidecarMode.NATIVE : undefined;
}

/** Where a workload kind keeps its pod spec, as a JSON pointer. */
export const POD_SPEC_POINTER: Record<Kind, string> = {
  Pod: '/spec',
  Deployment: '/spec/template/spec',
  StatefulSet: '/spec/template/spec',
  DaemonSet: '/spec/template/spec',
  Job: '/spec/template/spec',
  CronJob: '/spec/jobTemplate/spec/template/spec',
};

/** Partial security contexts as users write them: fields left out or undefined, capabilities added only. */
const partialSecurityContext = fc.record(
  {
    user: fc.constantFrom(undefined, 1000, 65534),
    group: fc.constantFrom(undefined, 1000),
    readOnlyRootFilesystem: fc.constantFrom(undefined, true),
    allowPrivilegeEscalation: fc.constantFrom(undefined, false),
    capabilities: fc.constantFrom(undefined, {}, { add: [CAPABILITY_NET_BIND_SERVICE] }, { drop: undefined }),
  },
  { requiredKeys: [] },
);

/** JSON patches that remove or retype what a pod needs (the containers, a container's name, image, resources). */
const carelessPatch = fc.constantFrom(
  (spec: string) => JsonPatch.remove(`${spec}/containers`),
  (spec: string) => JsonPatch.replace(`${spec}/containers`, 'none'),
  (spec: string) => JsonPatch.remove(`${spec}/containers/0/name`),
  (spec: string) => JsonPatch.replace(`${spec}/containers/0/image`, 5),
  (spec: string) => JsonPatch.remove(`${spec}/containers/0/resources`),
  (spec: string) => JsonPatch.replace(`${spec}/containers/0/resources`, { limits: 'lots' }),
);

export const careless = fc.record({
  securityContext: partialSecurityContext,
  name: fc.constantFrom('shipper', 'app', 'Bad_Name', 'x'.repeat(70)),
  ports: fc.array(fc.record({ number: fc.constantFrom(8080, 9000, 9100, 9200, 70000), name: fc.constantFrom(undefined, 'metrics', 'http', 'Bad Name') }), { maxLength: 3 }),
  patch: fc.option(carelessPatch, { nil: undefined }),
});
