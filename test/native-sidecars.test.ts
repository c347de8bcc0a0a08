import { Chart, Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  Adapter,
  AdapterSource,
  Ambassador,
  CAPABILITY_ALL,
  CAPABILITY_NET_BIND_SERVICE,
  containerResources,
  InitSteps,
  KubernetesTarget,
  KubernetesVersion,
  PodComposition,
  Sidecar,
  SidecarMode,
} from '../lib';
import { DemoChart } from '../lib/examples';
import { EXAMPLE_APP_RESOURCES } from '../lib/examples/example-workload';
import { restrictedViolations } from './support/pss';
import { containerOf, podSpecOf } from './support/synth';

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
    new Sidecar(chart, 'LogShipper', { workload, sharedPath: '/logs' });
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
    new Ambassador(chart, 'Db', { workload, port: 6000, upstreams: [{ name: 'db', host: 'db', port: 5432 }] });
    expect(containerOf(specOf(chart), 'db').startupProbe).toEqual({ tcpSocket: { port: 6000 }, periodSeconds: 1, failureThreshold: 30 });
  });

  test('a native sidecar without ports gets no probe', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_29);
    new Sidecar(chart, 'Shipper', { workload });
    expect(containerOf(specOf(chart), 'shipper').startupProbe).toBeUndefined();
  });

  test('classic stays the default for a 1.27 target, and mode overrides per container', () => {
    const classic = chartWith(KubernetesVersion.V1_27);
    new Sidecar(classic.chart, 'Shipper', { workload: classic.workload });
    expect(specOf(classic.chart).containers.map((c: { name: string }) => c.name)).toEqual(['app', 'shipper']);

    const mixed = chartWith(KubernetesVersion.V1_29);
    new Sidecar(mixed.chart, 'Shipper', { workload: mixed.workload, mode: SidecarMode.CLASSIC });
    new Sidecar(mixed.chart, 'Syncer', { workload: mixed.workload });
    const spec = specOf(mixed.chart);
    expect(spec.containers.map((c: { name: string }) => c.name)).toEqual(['app', 'shipper']);
    expect(containerOf(spec, 'syncer').restartPolicy).toBe('Always');
  });

  test('a Job on a 1.29 target gets native sidecars and completes', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_29, (c, p) => new kplus.Job(c, 'Batch', p));
    new Sidecar(chart, 'Shipper', { workload });
    expect(containerOf(specOf(chart), 'shipper').restartPolicy).toBe('Always');
  });

  test('fails when a classic sidecar is attached to a Job', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27, (c, p) => new kplus.Job(c, 'Batch', p));
    expect(() => new Sidecar(chart, 'Shipper', { workload })).toThrow(
      "test/Shipper: the sidecar 'shipper' would be a classic container in Job test/Batch, which keeps the Job's pods running after the app finishes, so it never completes. Use native mode: KubernetesTarget.set(chart, KubernetesVersion.V1_29)",
    );
  });

  test('fails when a classic sidecar is attached to a CronJob', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_29, (c, p) => new kplus.CronJob(c, 'Nightly', { ...p, schedule: Cron.daily() }));
    expect(() => new Ambassador(chart, 'Db', { workload, mode: SidecarMode.CLASSIC, upstreams: [{ name: 'db', host: 'db', port: 5432 }] })).toThrow(
      "test/Db: the ambassador 'db' would be a classic container in CronJob test/Nightly",
    );
  });

  test('fails when native mode is asked for on a target without native sidecars', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27);
    expect(() => new Sidecar(chart, 'Shipper', { workload, mode: SidecarMode.NATIVE })).toThrow(
      "test/Shipper: the sidecar 'shipper' is native, but workload test/Web targets Kubernetes 1.27, whose API server drops restartPolicy on init containers",
    );
  });

  test('fails when a Kubernetes version is malformed', () => {
    expect(() => KubernetesVersion.of('v1.29')).toThrow("Kubernetes version 'v1.29' is not of the form 1.N. Write it like '1.29'.");
    expect(KubernetesVersion.of('1.30').supportsNativeSidecars).toBe(true);
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
    new InitSteps(chart, 'Init', { workload, handOff: false, steps: [{ name: 'big', resources: containerResources(400, 500, 16, 32) }] });
    new Sidecar(chart, 'Shipper', { workload }); // 50m/32Mi, limits 100m/64Mi
    expect(PodComposition.of(workload).effectiveResources).toEqual({
      requests: { cpuMillis: 400, memoryMebibytes: 64 }, // cpu: init 400 > 50+50; memory: 32+32 > 16
      limits: { cpuMillis: 500, memoryMebibytes: 128 },
    });
  });

  test('native: sidecars count beside the app, and beside the init steps declared after them', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_29); // app 50m/32Mi
    const init = new InitSteps(chart, 'Init', { workload, handOff: false, steps: [{ name: 'first', resources: containerResources(100, 100, 100, 100) }] });
    new Sidecar(chart, 'Proxy', { workload, resources: containerResources(200, 200, 10, 10) });
    init.addStep({ name: 'second', resources: containerResources(150, 150, 20, 20) });
    // running: 50 + 200 = 250m, 32 + 10 = 42Mi; first: 100m/100Mi; second: 150 + 200 = 350m, 20 + 10 = 30Mi
    expect(PodComposition.of(workload).effectiveResources.requests).toEqual({ cpuMillis: 350, memoryMebibytes: 100 });
  });

  test('fails when the effective limits exceed the pod budget, naming the biggest containers', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27);
    new Sidecar(chart, 'Shipper', { workload, resources: containerResources(100, 300, 32, 64) });
    PodComposition.of(workload).limitPodResources({ cpuMillis: 250, memoryMebibytes: 512 });
    expect(() => Testing.synth(chart)).toThrow(
      "the pod's effective cpu limit 400m is above its budget 250m. The biggest limits are 'shipper' 300m, 'app' 100m: lower them or raise the budget.",
    );
  });
});

describe('pod options', () => {
  test('the default-container annotation names the app container, and can be overridden', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27);
    new Sidecar(chart, 'Shipper', { workload });
    const annotations = () => Testing.synth(chart)[0].spec.template.metadata.annotations;
    expect(annotations()).toEqual({ 'kubectl.kubernetes.io/default-container': 'app' });
    PodComposition.of(workload).defaultContainer = 'shipper';
    expect(annotations()).toEqual({ 'kubectl.kubernetes.io/default-container': 'shipper' });
  });

  test('shareProcessNamespace is rendered though cdk8s-plus-27 has no prop for it', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27);
    new Sidecar(chart, 'Reloader', { workload });
    PodComposition.of(workload).shareProcessNamespace();
    expect(specOf(chart).shareProcessNamespace).toBe(true);
  });

  test('containers that set no capabilities drop them all; one that sets its own keeps them', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27);
    const netBind = { drop: [CAPABILITY_ALL], add: [CAPABILITY_NET_BIND_SERVICE] };
    new Sidecar(chart, 'Proxy', { workload, securityContext: { capabilities: netBind } });
    const spec = specOf(chart);
    expect(containerOf(spec, 'app').securityContext.capabilities).toEqual({ drop: ['ALL'] });
    expect(containerOf(spec, 'proxy').securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] });
    expect(restrictedViolations('pod', spec)).toEqual([]);
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
    new Sidecar(chart, 'Shipper', { workload });
    workload.podMetadata.addLabel('team', 'web team');
    expect(() => Testing.synth(chart)).toThrow("pod template label 'team' has value 'web team'");
    workload.podMetadata.addLabel('team', 'web');
    expect(Testing.synth(chart)[0].spec.template.metadata.labels.team).toBe('web');
  });

  test('a change after a successful synth shows in the next one', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27);
    new Sidecar(chart, 'Shipper', { workload });
    Testing.synth(chart);
    workload.containers[0].env.addVariable('LATER', kplus.EnvValue.fromValue('yes'));
    expect(containerOf(specOf(chart), 'app').env).toEqual([{ name: 'LATER', value: 'yes' }]);
  });
});
