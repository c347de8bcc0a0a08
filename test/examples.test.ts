import { Testing } from 'cdk8s';
import { KubernetesTarget } from '../lib';
import { addExampleCharts } from '../lib/examples';
import { validateManifests } from './support/kubernetes-schema';
import { restrictedViolations } from './support/pss';
import { Manifest, podSpecOf, podTemplateOfManifest } from './support/synth';

const WORKLOAD_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];

/** Every file the app writes to dist/, built in memory, with the Kubernetes version its chart targets. */
function examplesByFile(): { file: string; version: string; objects: Manifest[] }[] {
  const app = Testing.app();
  addExampleCharts(app);
  return app.charts.map((chart) => ({
    file: `${chart.node.id}.k8s.yaml`,
    version: KubernetesTarget.of(chart).toString(),
    objects: Testing.synth(chart),
  }));
}

describe('dist/', () => {
  const files = examplesByFile();
  const objects = files.flatMap((f) => f.objects);
  const pods = objects
    .filter((m) => WORKLOAD_KINDS.includes(m.kind))
    .map((m) => ({ name: `${m.kind}/${m.metadata.name}`, manifest: m, spec: podSpecOf(m) }));

  /** `pod/container` of every container for which `isWrong` holds. */
  function offenders(isWrong: (container: Manifest, podSpec: Manifest) => boolean): string[] {
    return pods.flatMap(({ name, spec }) =>
      [...(spec.initContainers ?? []), ...spec.containers]
        .filter((container: Manifest) => isWrong(container, spec))
        .map((container: Manifest) => `${name}/${container.name}`),
    );
  }

  test('holds the demo, one example per pattern, the combined one and one per workload kind', () => {
    expect(files.map((f) => f.file).sort()).toEqual([
      'adapter-example.k8s.yaml',
      'ambassador-example.k8s.yaml',
      'combined-example.k8s.yaml',
      'cronjob-example.k8s.yaml',
      'daemonset-example.k8s.yaml',
      'demo.k8s.yaml',
      'init-example.k8s.yaml',
      'job-example.k8s.yaml',
      'lifecycle-example.k8s.yaml',
      'native-ambassador-example.k8s.yaml',
      'real-haproxy-ambassador.k8s.yaml',
      'real-native-proxy-job.k8s.yaml',
      'real-native-web-exporter.k8s.yaml',
      'real-redis-exporter.k8s.yaml',
      'real-web-exporter.k8s.yaml',
      'secrets-example.k8s.yaml',
      'sidecar-example.k8s.yaml',
      'statefulset-example.k8s.yaml',
    ]);
  });

  test('every object is valid against its target\'s Kubernetes schema (1.27 classic, 1.29 native) with unknown fields rejected', () => {
    for (const { version, objects: fileObjects } of files) {
      expect(validateManifests(fileObjects, version === '1.27' ? '1.27' : '1.29')).toEqual([]);
    }
    expect(files.filter((f) => f.version === '1.27').length).toBeGreaterThan(5);
  });

  test('every pod meets Pod Security Standards "restricted"', () => {
    expect(pods.flatMap(({ name, spec }) => restrictedViolations(name, spec))).toEqual([]);
  });

  test('every pod runs as a non-zero uid and gid', () => {
    expect(offenders((c, spec) => !((c.securityContext?.runAsUser ?? spec.securityContext?.runAsUser) > 0))).toEqual([]);
    expect(offenders((c, spec) => !((c.securityContext?.runAsGroup ?? spec.securityContext?.runAsGroup) > 0))).toEqual([]);
  });

  test('no pod mounts a service-account token', () => {
    expect(pods.filter(({ spec }) => spec.automountServiceAccountToken !== false).map((p) => p.name)).toEqual([]);
  });

  test('no two objects share kind, namespace and name', () => {
    const keys = objects.map((m) => `${m.kind}/${m.metadata.namespace ?? 'default'}/${m.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('every container has cpu and memory requests and limits', () => {
    expect(offenders(({ resources: r }) => !(r?.requests?.cpu && r?.requests?.memory && r?.limits?.cpu && r?.limits?.memory))).toEqual([]);
  });

  test('no container asks runAsNonRoot without a non-root runAsUser a kubelet can check', () => {
    const refused = offenders((container, spec) => {
      const nonRoot = container.securityContext?.runAsNonRoot ?? spec.securityContext?.runAsNonRoot;
      const user = container.securityContext?.runAsUser ?? spec.securityContext?.runAsUser;
      return nonRoot === true && !(typeof user === 'number' && user > 0);
    });
    expect(refused).toEqual([]);
  });

  test('every multi-container pod names its default container, one of its own', () => {
    const wrong = pods.filter(({ manifest, spec }) => {
      const metadata = podTemplateOfManifest(manifest).metadata;
      const named = metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
      const all = [...(spec.initContainers ?? []), ...spec.containers].map((c: Manifest) => c.name);
      return all.length > 1 && !all.includes(named);
    });
    expect(wrong.map((p) => p.name)).toEqual([]);
  });
});

describe('npm run synth', () => {
  test('warns only about busybox:latest, which the seed\'s demo calls for', () => {
    const warn = jest.mocked(console.warn);
    warn.mockClear();
    const app = Testing.app();
    addExampleCharts(app);
    app.synth();
    const warnings = warn.mock.calls.map(([message]) => String(message));
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.filter((w) => !w.includes("image 'busybox:latest' can change under the same name"))).toEqual([]);
  });
});
