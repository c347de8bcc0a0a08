import { Chart, Cron, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  Adapter,
  AdapterSource,
  Ambassador,
  InitSteps,
  KubernetesTarget,
  KubernetesVersion,
  PodComposition,
  Resources,
  CAPABILITY_ALL,
  CAPABILITY_NET_BIND_SERVICE,
  Sidecar,
  SidecarMode,
} from '../lib';
import { DemoChart } from '../lib/examples';
import { EXAMPLE_APP_RESOURCES } from '../lib/examples/example-workload';
import { validateManifests } from './support/kubernetes-schema';
import { restrictedViolations } from './support/pss';
import { containerOf, podSpecOf, KEEP_RUNNING } from './support/synth';

/** A chart targeting `version` with a workload of the given kind holding one app container. */
function chartWith(version: KubernetesVersion, create: (chart: Chart, props: kplus.PodProps) => kplus.AbstractPod = (c, p) => new kplus.Deployment(c, 'Web', p)) {
  const chart = new Chart(Testing.app(), 'test');
  KubernetesTarget.set(chart, version);
  const workload = create(chart, { containers: [{ name: 'app', image: 'busybox:1.36', resources: EXAMPLE_APP_RESOURCES }] });
  return { chart, workload };
}

function specOf(chart: Chart) {
  return podSpecOf(Testing.synth(chart).find((m) => m.kind !== 'Service')!);
}

describe('native sidecars', () => {
  test('a 1.29 target renders sidecar, ambassador and adapter as init containers with restartPolicy Always, in declared order', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_29);
    new InitSteps(chart, 'Init', { workload, steps: [{ name: 'setup' }] });
    new Sidecar(chart, 'LogShipper', { command: KEEP_RUNNING, workload, sharedPath: '/logs' });
    new Ambassador(chart, 'Db', { workload, upstreams: [{ name: 'db', host: 'db', port: 5432 }] });
    new Adapter(chart, 'Normalizer', { workload, source: AdapterSource.logFile('/logs/app.log') });
    const spec = specOf(chart);
    expect(spec.initContainers.map((c: { name: string; restartPolicy?: string }) => [c.name, c.restartPolicy])).toEqual([
      ['setup', undefined],
      ['log-shipper', 'Always'],
      ['db', 'Always'],
      ['normalizer', 'Always'],
    ]);
    expect(spec.containers.map((c: { name: string }) => c.name)).toEqual(['app']);
  });

  test('a native ambassador gets a startupProbe on its port so the app starts once it listens', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_33);
    new Ambassador(chart, 'Db', { workload, firstPort: 6000, upstreams: [{ name: 'db', host: 'db', port: 5432 }] });
    // The forwarder listens on 127.0.0.1 only, which the kubelet's tcp probe (to the pod IP) cannot reach.
    expect(containerOf(specOf(chart), 'db').startupProbe).toEqual({
      exec: { command: ['grep', '-q', ':1770 00000000:0000 0A', '/proc/net/tcp'] },
      failureThreshold: 30,
      periodSeconds: 1,
    });
  });

  test('a native sidecar with a port of its own image gets a tcp startupProbe, and a user probe replaces it', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_29);
    new Sidecar(chart, 'Exporter', { workload, image: 'oliver006/redis_exporter:v1.45.0', ports: [{ number: 9121 }] });
    const probe = kplus.Probe.fromHttpGet('/healthz', { port: 9191, periodSeconds: Duration.seconds(2) });
    new Sidecar(chart, 'Proxy', { workload, image: 'haproxy:2.6', ports: [{ number: 8081 }], startup: probe, readiness: probe, liveness: probe });
    const spec = specOf(chart);
    expect(containerOf(spec, 'exporter').startupProbe).toEqual({ tcpSocket: { port: 9121 }, periodSeconds: 1, failureThreshold: 30 });
    const proxy = containerOf(spec, 'proxy');
    expect(proxy.restartPolicy).toBe('Always');
    for (const field of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      expect(proxy[field]).toMatchObject({ httpGet: { path: '/healthz', port: 9191 }, periodSeconds: 2 });
    }
    expect(validateManifests(Testing.synth(chart), '1.29')).toEqual([]);
  });

  test('a native sidecar without ports gets no probe', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_29);
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
    expect(containerOf(specOf(chart), 'shipper').startupProbe).toBeUndefined();
  });

  test('classic stays the default for a 1.27 target, and mode overrides per container', () => {
    const classic = chartWith(KubernetesVersion.V1_27);
    new Sidecar(classic.chart, 'Shipper', { command: KEEP_RUNNING, workload: classic.workload });
    expect(specOf(classic.chart).containers.map((c: { name: string }) => c.name)).toEqual(['app', 'shipper']);

    const mixed = chartWith(KubernetesVersion.V1_29);
    new Sidecar(mixed.chart, 'Shipper', { command: KEEP_RUNNING, workload: mixed.workload, mode: SidecarMode.CLASSIC });
    new Sidecar(mixed.chart, 'Syncer', { command: KEEP_RUNNING, workload: mixed.workload });
    const spec = specOf(mixed.chart);
    expect(spec.containers.map((c: { name: string }) => c.name)).toEqual(['app', 'shipper']);
    expect(containerOf(spec, 'syncer').restartPolicy).toBe('Always');
  });

  test('a Job on a 1.29 target gets native sidecars and completes', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_29, (c, p) => new kplus.Job(c, 'Batch', p));
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
    expect(containerOf(specOf(chart), 'shipper').restartPolicy).toBe('Always');
  });

  test('fails when a classic sidecar is attached to a Job', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27, (c, p) => new kplus.Job(c, 'Batch', p));
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
    expect(() => Testing.synth(chart)).toThrow(
      "container 'shipper' (added by test/Shipper): a classic sidecar in Job test/Batch keeps the pod running after the app finishes, so it never completes. Use native mode: KubernetesTarget.set(chart, KubernetesVersion.V1_29)",
    );
  });

  test('the mode follows a target set after the pattern attached', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27, (c, p) => new kplus.Job(c, 'Batch', p));
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
    KubernetesTarget.set(chart, KubernetesVersion.V1_29);
    expect(containerOf(specOf(chart), 'shipper').restartPolicy).toBe('Always');
  });

  test('fails when a classic sidecar is attached to a Pod that is meant to finish', () => {
    const chart = new Chart(Testing.app(), 'test');
    const workload = new kplus.Pod(chart, 'Once', {
      restartPolicy: kplus.RestartPolicy.NEVER,
      containers: [{ name: 'app', image: 'busybox:1.36', resources: EXAMPLE_APP_RESOURCES }],
    });
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
    expect(() => Testing.synth(chart)).toThrow("container 'shipper' (added by test/Shipper): a classic sidecar in a pod with restartPolicy Never");
  });

  test('fails when a classic sidecar is attached to a CronJob', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_29, (c, p) => new kplus.CronJob(c, 'Nightly', { ...p, schedule: Cron.daily() }));
    new Ambassador(chart, 'Db', { workload, mode: SidecarMode.CLASSIC, upstreams: [{ name: 'db', host: 'db', port: 5432 }] });
    expect(() => Testing.synth(chart)).toThrow("container 'db' (added by test/Db): a classic ambassador in CronJob test/Nightly");
  });

  test('fails when native mode is asked for on a target without native sidecars', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27);
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload, mode: SidecarMode.NATIVE });
    expect(() => Testing.synth(chart)).toThrow(
      "container 'shipper' (added by test/Shipper): native mode needs Kubernetes 1.29, but workload test/Web targets 1.27, whose API server drops restartPolicy on init containers",
    );
  });

  test('fails when a Kubernetes version is malformed', () => {
    expect(() => KubernetesVersion.parse('v1.29')).toThrow("Kubernetes version 'v1.29' is not of the form 1.N. Write it like '1.29'.");
    expect(KubernetesVersion.parse('1.30').supportsNativeSidecars).toBe(true);
  });

  test('fails when two native sidecars listen on one port', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_29);
    new Ambassador(chart, 'One', { workload, upstreams: [{ name: 'a', host: 'a', port: 1 }] });
    new Ambassador(chart, 'Two', { workload, upstreams: [{ name: 'b', host: 'b', port: 1 }] });
    expect(() => Testing.synth(chart)).toThrow("port 9000 is declared by containers 'one' and 'two'");
  });
});

describe('effective pod resources', () => {
  test('the demo pod: requests 100m / 64Mi, limits 250m / 128Mi', () => {
    const demo = new DemoChart(Testing.app(), 'demo');
    expect(PodComposition.of(demo.pod).effectiveResources).toEqual({
      requests: { cpuMillis: 100, memoryMebibytes: 64 },
      limits: { cpuMillis: 250, memoryMebibytes: 128 },
    });
  });

  test('classic: the sum of app containers, unless an init step needs more', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27); // app 50m/32Mi, limits 100m/64Mi
    new InitSteps(chart, 'Init', { workload, handOff: false, steps: [{ name: 'big', resources: Resources.container({ cpuMillis: { request: 400, limit: 500 }, memoryMebibytes: { request: 16, limit: 32 } }) }] });
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload }); // 50m/32Mi, limits 100m/64Mi
    expect(PodComposition.of(workload).effectiveResources).toEqual({
      requests: { cpuMillis: 400, memoryMebibytes: 64 }, // cpu: init 400 > 50+50; memory: 32+32 > 16
      limits: { cpuMillis: 500, memoryMebibytes: 128 },
    });
  });

  test('native: sidecars count beside the app, and beside the init steps declared after them', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_29); // app 50m/32Mi
    const init = new InitSteps(chart, 'Init', { workload, handOff: false, steps: [{ name: 'first', resources: Resources.container({ cpuMillis: { request: 100, limit: 100 }, memoryMebibytes: { request: 100, limit: 100 } }) }] });
    new Sidecar(chart, 'Proxy', { command: KEEP_RUNNING, workload, resources: Resources.container({ cpuMillis: { request: 200, limit: 200 }, memoryMebibytes: { request: 10, limit: 10 } }) });
    init.addStep({ name: 'second', resources: Resources.container({ cpuMillis: { request: 150, limit: 150 }, memoryMebibytes: { request: 20, limit: 20 } }) });
    // running: 50 + 200 = 250m, 32 + 10 = 42Mi; first: 100m/100Mi; second: 150 + 200 = 350m, 20 + 10 = 30Mi
    expect(PodComposition.of(workload).effectiveResources.requests).toEqual({ cpuMillis: 350, memoryMebibytes: 100 });
  });

  test('fails when the effective limits exceed the pod budget, naming the biggest containers', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27);
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload, resources: Resources.container({ cpuMillis: { request: 100, limit: 300 }, memoryMebibytes: { request: 32, limit: 64 } }) });
    PodComposition.of(workload).enforceResourceBudget({ cpuMillis: 250, memoryMebibytes: 512 });
    expect(() => Testing.synth(chart)).toThrow(
      "the pod's effective cpu limit 400m is above its budget 250m. The biggest limits are 'shipper' 300m, 'app' 100m: lower them or raise the budget.",
    );
  });
});

describe('pod options', () => {
  test('the default-container annotation names the app container, and can be overridden', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27);
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
    const annotations = () => Testing.synth(chart)[0].spec.template.metadata.annotations;
    expect(annotations()).toEqual({ 'kubectl.kubernetes.io/default-container': 'app' });
    PodComposition.of(workload).defaultContainer = 'shipper';
    expect(annotations()).toEqual({ 'kubectl.kubernetes.io/default-container': 'shipper' });
  });

  test('shareProcessNamespace is rendered though cdk8s-plus-27 has no prop for it', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27);
    new Sidecar(chart, 'Reloader', { command: KEEP_RUNNING, workload });
    PodComposition.of(workload).shareProcessNamespace();
    expect(specOf(chart).shareProcessNamespace).toBe(true);
  });

  test('the containers the user added are left as they are, with a warning naming the fix', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27);
    const netBind = { drop: [CAPABILITY_ALL], add: [CAPABILITY_NET_BIND_SERVICE] };
    new Sidecar(chart, 'Proxy', { command: KEEP_RUNNING, workload, securityContext: { capabilities: netBind } });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const spec = specOf(chart);
    expect(containerOf(spec, 'app').securityContext.capabilities).toBeUndefined();
    expect(containerOf(spec, 'proxy').securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] });
    const warnings = warn.mock.calls.map(([message]) => message);
    warn.mockRestore();
    expect(warnings).toContain(
      "Warning: [test/Web] container 'app': has runAsNonRoot but no runAsUser: a kubelet refuses to start it (CreateContainerConfigError) if its image's user is root. " +
        'Set securityContext.user to the non-root uid the image runs as (e.g. 101 for nginx-unprivileged, 65534 for nobody).',
    );
    expect(warnings).toContain(
      "Warning: [test/Web] container 'app': keeps its capabilities, which the restricted Pod Security profile refuses. " +
        'Set securityContext.capabilities to { drop: [CAPABILITY_ALL] } (add CAPABILITY_NET_BIND_SERVICE only if it binds a port below 1024).',
    );
    expect(restrictedViolations('pod', { ...spec, containers: spec.containers.filter((c: { name: string }) => c.name !== 'app') })).toEqual([]);
  });

  test('a pod without a pattern is left as cdk8s-plus renders it', () => {
    const { chart } = chartWith(KubernetesVersion.V1_29);
    const spec = specOf(chart);
    expect(spec.shareProcessNamespace).toBeUndefined();
    expect(spec.securityContext.seccompProfile).toBeUndefined();
  });

  test('the target applies to nested charts', () => {
    const app = Testing.app();
    const parent = new Chart(app, 'parent');
    KubernetesTarget.set(parent, KubernetesVersion.V1_33);
    expect(KubernetesTarget.of(new Chart(parent, 'child')).toString()).toBe('1.33');
    expect(KubernetesTarget.of(new Chart(app, 'other'))).toBe(KubernetesVersion.V1_27);
  });
});


describe('synth after a change', () => {
  test('a workload fixed right after a failed synth renders its fix', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27);
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
    workload.podMetadata.addLabel('team', 'web team');
    expect(() => Testing.synth(chart)).toThrow("pod template label 'team' has value 'web team'");
    workload.podMetadata.addLabel('team', 'web');
    expect(Testing.synth(chart)[0].spec.template.metadata.labels.team).toBe('web');
  });

  test('a change after a successful synth shows in the next one', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27);
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
    Testing.synth(chart);
    workload.containers[0].env.addVariable('LATER', kplus.EnvValue.fromValue('yes'));
    expect(containerOf(specOf(chart), 'app').env).toEqual([{ name: 'LATER', value: 'yes' }]);
  });
});
