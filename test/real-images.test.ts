import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Adapter, AdapterSource, Ambassador, InitSteps, KubernetesTarget, KubernetesVersion, PodComposition, Sidecar } from '../lib';
import { EXAMPLE_APP_RESOURCES } from '../lib/examples/example-workload';
import { RestrictedSecurity } from '../lib/patterns/container-defaults';
import { validateManifests } from './support/kubernetes-schema';
import { restrictedViolations } from './support/pss';
import { containerOf, KEEP_RUNNING, Manifest, podSpecOf } from './support/synth';

/** A Deployment with a hardened app container, in a chart targeting `version`. */
function web(version = KubernetesVersion.V1_27) {
  const chart = new Chart(Testing.app(), 'test');
  KubernetesTarget.set(chart, version);
  const workload = new kplus.Deployment(chart, 'Web', {
    securityContext: RestrictedSecurity.POD,
    containers: [{ name: 'app', image: 'busybox:1.36', command: KEEP_RUNNING, resources: EXAMPLE_APP_RESOURCES, securityContext: RestrictedSecurity.container() }],
  });
  return { chart, workload };
}

function specOf(chart: Chart): Manifest {
  const manifests = Testing.synth(chart);
  return podSpecOf(manifests.find((m) => m.kind === 'Deployment')!);
}

/** Console warnings printed while `run` runs. */
function warningsOf(run: () => void): string[] {
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    run();
    return warn.mock.calls.map(([message]) => String(message));
  } finally {
    warn.mockRestore();
  }
}

describe('the image decides unless you do', () => {
  test('an exporter adapter keeps its image entrypoint: args only, no source, no extra volume', () => {
    const { chart, workload } = web();
    const exporter = new Adapter(chart, 'Exporter', {
      workload,
      image: 'nginx/nginx-prometheus-exporter:1.3.0',
      args: ['--nginx.scrape-uri=http://127.0.0.1:8080/stub_status'],
      ports: [{ number: 9113, name: 'metrics' }],
    });
    const spec = specOf(chart);
    const container = containerOf(spec, 'exporter');
    expect(container.command).toBeUndefined();
    expect(container.args).toEqual(['--nginx.scrape-uri=http://127.0.0.1:8080/stub_status']);
    expect(container.volumeMounts).toBeUndefined();
    expect(spec.volumes).toBeUndefined();
    expect(exporter.listenPorts).toEqual([9113]);
  });

  test('a real proxy ambassador runs its entrypoint, adds the user ports to its listeners, and takes targets only it understands', () => {
    const { chart, workload } = web();
    const proxy = new Ambassador(chart, 'SqlProxy', {
      workload,
      image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0',
      args: ['--port=5432', 'my-project:europe-west1:orders'],
      firstPort: 5432,
      ports: [{ number: 9801, name: 'admin' }],
      upstreams: [{ name: 'orders-db', target: 'my-project:europe-west1:orders' }],
    });
    const container = containerOf(specOf(chart), 'sql-proxy');
    expect(container.command).toBeUndefined();
    expect(container.ports).toEqual([{ containerPort: 5432 }, { containerPort: 9801, name: 'admin' }]);
    expect(container.startupProbe).toBeUndefined();
    expect(proxy.listenPorts).toEqual([5432, 9801]);
    expect(containerOf(specOf(chart), 'app').env).toEqual([{ name: 'ORDERS_DB_ADDR', value: 'localhost:5432' }]);
  });

  test('the busybox forwarder can be asked for explicitly on another busybox-based image', () => {
    const { chart, workload } = web();
    const upstreams = [{ name: 'db', host: 'db.data', port: 5432 }];
    new Ambassador(chart, 'Db', { workload, image: 'registry.example.com/busybox:1.36', command: Ambassador.forwarderCommand(upstreams), upstreams });
    expect(containerOf(specOf(chart), 'db').command).toEqual(Ambassador.forwarderCommand(upstreams));
  });

  test('a sidecar with its own image runs its entrypoint with args', () => {
    const { chart, workload } = web();
    new Sidecar(chart, 'GitSync', { workload, image: 'registry.k8s.io/git-sync/git-sync:v4.2.3', args: ['--repo=https://example.com/site.git'] });
    const container = containerOf(specOf(chart), 'git-sync');
    expect(container.command).toBeUndefined();
    expect(container.args).toEqual(['--repo=https://example.com/site.git']);
  });

  test('fails when a Sidecar on the default image has no command', () => {
    const { chart, workload } = web();
    expect(() => new Sidecar(chart, 'Idle', { workload })).toThrow(
      'test/Idle: a Sidecar on the default image busybox:1.36 needs a command: busybox alone runs sh, which exits at once, and the pod crash-loops.',
    );
  });

  test('fails when the default forwarder is given a target only a real proxy understands', () => {
    const { chart, workload } = web();
    expect(() => new Ambassador(chart, 'Db', { workload, upstreams: [{ name: 'db', target: 'project:region:db' }] })).toThrow(
      "test/Db: upstream 'db' has target 'project:region:db', which the default busybox forwarder cannot use.",
    );
  });
});

describe('native sidecars are full containers', () => {
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

  test('fails when a run-to-completion init step has a probe, with the existing clear message', () => {
    const { chart, workload } = web();
    const steps = [{ name: 'migrate', readiness: kplus.Probe.fromCommand(['true']) }];
    expect(() => new InitSteps(chart, 'Init', { workload, steps })).toThrow(
      "test/Init: init step 'migrate' has a readiness probe, but an init container that runs to completion cannot have them. Remove it, or make the container a Sidecar in native mode, which can.",
    );
  });
});

describe('resources for real images', () => {
  test('warns when a container with its own image is left on the busybox-sized defaults', () => {
    const { chart, workload } = web();
    new Sidecar(chart, 'Exporter', { workload, image: 'oliver006/redis_exporter:v1.45.0' });
    new Sidecar(chart, 'Sized', { workload, image: 'oliver006/redis_exporter:v1.45.0', name: 'sized', resources: EXAMPLE_APP_RESOURCES });
    const warnings = warningsOf(() => Testing.synth(chart));
    expect(warnings).toContain(
      "Warning: [test/Web] container 'exporter' (added by test/Exporter): runs image 'oliver006/redis_exporter:v1.45.0' on its pattern's default resources, sized for busybox. Give `resources` measured for that image.",
    );
    expect(warnings.filter((w) => w.includes("'sized'"))).toEqual([]);
  });
});

describe('shared directories as users need them', () => {
  test('a secrets hand-off: init renders into a memory-backed, size-limited emptyDir the app reads read-only elsewhere', () => {
    const { chart, workload } = web();
    new InitSteps(chart, 'Secrets', {
      workload,
      handOffPath: '/rendered',
      appHandOffPath: '/etc/secrets',
      handOffVolume: { medium: kplus.EmptyDirMedium.MEMORY, sizeLimit: Size.mebibytes(1) },
      steps: [{ name: 'render-secrets', command: ['sh', '-c', 'echo s3cr3t > "$HANDOFF_DIR/db-password"'] }],
    });
    const spec = specOf(chart);
    const volume = spec.volumes[0];
    expect(volume.emptyDir).toEqual({ medium: 'Memory', sizeLimit: '1Mi' });
    expect(containerOf(spec, 'render-secrets').volumeMounts).toEqual([{ mountPath: '/rendered', name: volume.name }]);
    expect(containerOf(spec, 'app').volumeMounts).toEqual([{ mountPath: '/etc/secrets', name: volume.name, readOnly: true }]);
    expect(containerOf(spec, 'app').env).toEqual([{ name: 'HANDOFF_DIR', value: '/etc/secrets' }]);
    expect(containerOf(spec, 'render-secrets').env).toEqual([{ name: 'HANDOFF_DIR', value: '/rendered' }]);
  });

  test("a sidecar's share can be read-only, at its own path", () => {
    const { chart, workload } = web();
    new Sidecar(chart, 'Shipper', { workload, command: KEEP_RUNNING, sharedPath: '/var/log/app', sidecarSharedPath: '/logs', sharedReadOnly: true });
    const spec = specOf(chart);
    const name = spec.volumes[0].name;
    expect(containerOf(spec, 'shipper').volumeMounts).toEqual([{ mountPath: '/logs', name, readOnly: true }]);
    expect(containerOf(spec, 'app').volumeMounts).toEqual([{ mountPath: '/var/log/app', name }]);
  });

  test('attach order never decides whether the app can write its log directory', () => {
    const mountsAfter = (attach: ((c: Chart, w: kplus.Deployment) => void)[]) => {
      const { chart, workload } = web();
      for (const pattern of attach) pattern(chart, workload);
      return containerOf(specOf(chart), 'app').volumeMounts;
    };
    const readOnlyInApp = (c: Chart, w: kplus.Deployment) =>
      new Sidecar(c, 'Syncer', { workload: w, command: KEEP_RUNNING, sharedPath: '/var/log/app', appSharedReadOnly: true });
    const adapter = (c: Chart, w: kplus.Deployment) => new Adapter(c, 'Logs', { workload: w, source: AdapterSource.logFile('/var/log/app/app.log') });
    expect(mountsAfter([readOnlyInApp, adapter])).toEqual(mountsAfter([adapter, readOnlyInApp]));
    expect(mountsAfter([readOnlyInApp, adapter])[0].readOnly).toBeUndefined();
  });

  test('fails when one container would mount a shared directory twice', () => {
    const { chart, workload } = web();
    const one = new Sidecar(chart, 'One', { workload, command: KEEP_RUNNING, sharedPath: '/data' });
    expect(() => PodComposition.of(workload)._directories.add(chart, one.container, '/data/', { mountPath: '/elsewhere' })).toThrow(
      "test: container 'one' would mount shared directory /data twice, at /data and /elsewhere (the other mount was declared by test/One). " +
        'Mount each directory once per container, each at a path of its own.',
    );
  });

  test('fails when two shared directories would be mounted at one path in a container', () => {
    const { chart, workload } = web();
    new Sidecar(chart, 'One', { workload, command: KEEP_RUNNING, sharedPath: '/data' });
    expect(() => new Sidecar(chart, 'Two', { workload, command: KEEP_RUNNING, sharedPath: '/cache', sidecarSharedPath: '/x' })).not.toThrow();
    expect(() => new InitSteps(chart, 'Init', { workload, appHandOffPath: '/cache/../data', steps: [] })).toThrow("test/Init: appHandOffPath '/cache/../data' is not an absolute path without '..'.");
    const app = workload.containers[0];
    expect(() => PodComposition.of(workload)._directories.add(chart, app, '/other', { mountPath: '/data' })).toThrow(
      "test: container 'app' would mount two shared directories at /data (the other mount was declared by test/One).",
    );
  });

  test('fails when one shared directory is declared with two media', () => {
    const { chart, workload } = web();
    new Sidecar(chart, 'One', { workload, command: KEEP_RUNNING, sharedPath: '/data', sharedVolume: { medium: kplus.EmptyDirMedium.MEMORY } });
    expect(() => new Sidecar(chart, 'Two', { workload, command: KEEP_RUNNING, sharedPath: '/data', sharedVolume: { medium: kplus.EmptyDirMedium.DEFAULT } })).toThrow(
      'test/Two: shared directory /data is already declared by test/One with another medium or size limit.',
    );
  });
});

describe('no hidden changes to containers you did not add', () => {
  test('the app container renders exactly as cdk8s-plus renders it without patterns', () => {
    const render = (attach: boolean) => {
      const { chart, workload } = web();
      if (attach) new Sidecar(chart, 'Shipper', { workload, command: KEEP_RUNNING });
      return containerOf(specOf(chart), 'app');
    };
    expect(render(true)).toEqual(render(false));
  });

  test('the dist-style app container passes the restricted profile on its own', () => {
    const { chart, workload } = web();
    new Sidecar(chart, 'Shipper', { workload, command: KEEP_RUNNING });
    expect(restrictedViolations('Deployment', specOf(chart))).toEqual([]);
  });
});
