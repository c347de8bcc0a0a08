import { Chart, Cron, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Adapter, AdapterSource, Ambassador, InitSteps, KubernetesTarget, KubernetesVersion, Sidecar, SidecarMode } from '../../lib';
import { EXAMPLE_APP_RESOURCES } from '../../lib/examples/example-workload';
import { RestrictedSecurity } from '../../lib/patterns/restricted-security';
import { validateManifests } from '../support/kubernetes-schema';
import { containerOf, podSpecOf, specOf, KEEP_RUNNING } from '../support/synth';
import { chartWith, job, web } from '../support/workloads';

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

  test('fails when two native sidecars listen on one port', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_29);
    new Ambassador(chart, 'One', { workload, upstreams: [{ name: 'a', host: 'a', port: 1 }] });
    new Ambassador(chart, 'Two', { workload, upstreams: [{ name: 'b', host: 'b', port: 1 }] });
    expect(() => Testing.synth(chart)).toThrow("port 9000 is declared by containers 'one' and 'two'");
  });

  test('a native sidecar in a Job takes the user startup probe, readiness, liveness and lifecycle, and the output is valid 1.29', () => {
    const chart = new Chart(Testing.app(), 'test');
    KubernetesTarget.set(chart, KubernetesVersion.V1_29);
    const job = new kplus.Job(chart, 'Batch', {
      securityContext: RestrictedSecurity.POD,
      containers: [{ name: 'app', image: 'busybox:1.36', command: ['true'], resources: EXAMPLE_APP_RESOURCES, securityContext: RestrictedSecurity.container() }],
    });
    new Sidecar(chart, 'Proxy', {
      workload: job,
      image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0',
      args: ['--http-port=9090', '--health-check', 'p:r:db'],
      ports: [{ number: 5432 }],
      startup: kplus.Probe.fromHttpGet('/startup', { port: 9090 }),
      liveness: kplus.Probe.fromHttpGet('/liveness', { port: 9090 }),
      lifecycle: { preStop: kplus.Handler.fromCommand(['sleep', '5']) },
    });
    const manifests = Testing.synth(chart);
    const proxy = containerOf(podSpecOf(manifests[0]), 'proxy');
    expect(proxy.restartPolicy).toBe('Always');
    expect(proxy.startupProbe.httpGet).toEqual({ path: '/startup', port: 9090, scheme: 'HTTP' });
    expect(proxy.livenessProbe.httpGet.path).toBe('/liveness');
    expect(proxy.lifecycle.preStop.exec.command).toEqual(['sleep', '5']);
    expect(validateManifests(manifests, '1.29')).toEqual([]);
  });

  test('a native sidecar whose first port is UDP is probed on its first TCP port, or not at all', () => {
    const { chart, workload } = web(KubernetesVersion.V1_29);
    const udp = (number: number) => ({ number, protocol: kplus.Protocol.UDP });
    new Sidecar(chart, 'Statsd', { workload, image: 'prom/statsd-exporter:v0.26.0', ports: [udp(9125), { number: 9102 }] });
    new Sidecar(chart, 'Dns', { workload, image: 'coredns/coredns:1.11.1', ports: [udp(53)] });
    const spec = specOf(chart);
    expect(containerOf(spec, 'statsd').startupProbe.tcpSocket).toEqual({ port: 9102 });
    expect(containerOf(spec, 'dns').startupProbe).toBeUndefined();
  });
});

describe('safe shutdown', () => {
  test('a drain renders the preStop sleep action where the target has it, an exec sleep before', () => {
    const preStop = (version: KubernetesVersion) => {
      const { chart, workload } = job(version);
      new Sidecar(chart, 'Shipper', { workload, command: KEEP_RUNNING, drainTime: Duration.seconds(5) });
      return containerOf(specOf(chart), 'shipper').lifecycle.preStop;
    };
    expect(preStop(KubernetesVersion.V1_30)).toEqual({ sleep: { seconds: 5 } });
    expect(preStop(KubernetesVersion.V1_29)).toEqual({ exec: { command: ['sleep', '5'] } });
  });

  test('fails when the grace period does not cover the app preStop plus the longest drain, with the sums', () => {
    const chart = new Chart(Testing.app(), 'test');
    KubernetesTarget.set(chart, KubernetesVersion.V1_34);
    const web = new kplus.Deployment(chart, 'Web', {
      terminationGracePeriod: Duration.seconds(10),
      containers: [{ name: 'app', image: 'busybox:1.36', resources: EXAMPLE_APP_RESOURCES, lifecycle: { preStop: kplus.Handler.fromCommand(['sleep', '4']) } }],
    });
    new Sidecar(chart, 'Shipper', { workload: web, command: KEEP_RUNNING, drainTime: Duration.seconds(8), mode: SidecarMode.CLASSIC });
    expect(() => Testing.synth(chart)).toThrow(
      "terminationGracePeriodSeconds is 10, but the app's preStop takes 4 s and 'shipper' drains for 8 s: 4 + 8 = 12 s, so the kubelet would kill it mid-drain. Set terminationGracePeriod on the workload to at least 12 s, or shorten drainTime.",
    );
  });

  test('fails when both drainTime and a preStop hook are given', () => {
    const { chart, workload } = job(KubernetesVersion.V1_29);
    expect(() => new Sidecar(chart, 'S', { workload, command: KEEP_RUNNING, drainTime: Duration.seconds(2), lifecycle: { preStop: kplus.Handler.fromCommand(['true']) } })).toThrow(
      'test/S: both drainTime and lifecycle.preStop are given, and drainTime is rendered as the preStop hook. Keep one of them.',
    );
  });
});

describe('container names', () => {
  test('fails when two patterns give a container of one pod the same name, naming both', () => {
    const { chart, workload } = web();
    new Sidecar(chart, 'Shipper', { workload, command: KEEP_RUNNING, name: 'logs' });
    expect(() => new Adapter(chart, 'Normalizer', { workload, name: 'logs', source: AdapterSource.logFile('/logs/app.log') })).toThrow(
      "test/Normalizer: container name 'logs' is taken in the pod of test/Web, by test/Shipper. Give one of the two containers another `name`: names are unique across init and app containers.",
    );
  });

  test('fails when one InitSteps gives two steps the same name', () => {
    const { chart, workload } = web();
    expect(() => new InitSteps(chart, 'Init', { workload, steps: [{ name: 'migrate' }, { name: 'migrate' }] })).toThrow(
      "test/Init: container name 'migrate' is taken in the pod of test/Web, by this pattern.",
    );
  });

  test('the same name on two workloads is no clash', () => {
    const { chart, workload } = web();
    const other = new kplus.Deployment(chart, 'Other', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
    new Sidecar(chart, 'Shipper', { workload, command: KEEP_RUNNING, name: 'logs' });
    new Sidecar(chart, 'OtherShipper', { workload: other, command: KEEP_RUNNING, name: 'logs' });
    const deployments = Testing.synth(chart).filter((m) => m.kind === 'Deployment');
    expect(deployments.map((d) => containerOf(podSpecOf(d), 'logs').name)).toEqual(['logs', 'logs']);
  });
});
