import { execFileSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { delimiter, join } from 'path';
import { Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { KubernetesTarget } from '../lib';
import { addExampleCharts, HELM_EXAMPLE_VALUES, HelmExampleChart, IncludeExampleChart, NGINX_ACCESS_LOG_TO_JSON } from '../lib/examples';
import { schemaVersionFor, validateForTarget } from './support/kubernetes-schema';
import { restrictedViolations } from './support/pss';
import { containerOf, Manifest, onlyOf, podSpecOf, podTemplateOfManifest } from './support/synth';

const WORKLOAD_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];

/** Every file the app writes to dist/, built in memory, with the Kubernetes version its chart targets. */
function examplesByFile(): { file: string; version: string; minor: number; objects: Manifest[] }[] {
  const app = Testing.app();
  addExampleCharts(app);
  return app.charts.map((chart) => ({
    file: `${chart.node.id}.k8s.yaml`,
    version: KubernetesTarget.of(chart).toString(),
    minor: KubernetesTarget.of(chart).minor,
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

  test('holds the demo, one example per pattern, the combined one, one per workload kind, the Include and Helm ones, and those of 1.35 to 1.37', () => {
    expect(files.map((f) => f.file).sort()).toEqual([
      'adapter-example.k8s.yaml',
      'ambassador-example.k8s.yaml',
      'combined-example.k8s.yaml',
      'cronjob-example.k8s.yaml',
      'daemonset-example.k8s.yaml',
      'demo.k8s.yaml',
      'env-file-example.k8s.yaml',
      'helm-example.k8s.yaml',
      'include-example.k8s.yaml',
      'init-example.k8s.yaml',
      'job-example.k8s.yaml',
      'lifecycle-example.k8s.yaml',
      'native-ambassador-example.k8s.yaml',
      'real-haproxy-ambassador.k8s.yaml',
      'real-native-proxy-job.k8s.yaml',
      'real-native-web-exporter.k8s.yaml',
      'real-redis-exporter.k8s.yaml',
      'real-web-exporter.k8s.yaml',
      'restart-all-example.k8s.yaml',
      'restart-rules-job.k8s.yaml',
      'secrets-example.k8s.yaml',
      'sidecar-example.k8s.yaml',
      'statefulset-example.k8s.yaml',
    ]);
  });

  test.each(files.map((f) => [f.file, f.version, schemaVersionFor(f.minor)]))(
    '%s (target %s) is valid against the Kubernetes %s schema, unknown fields rejected',
    (file) => {
      const { minor, objects: fileObjects } = files.find((f) => f.file === file)!;
      expect(validateForTarget(fileObjects, minor)).toEqual([]);
    },
  );

  test('the examples cover the classic and the native targets', () => {
    expect(files.filter((f) => f.version === '1.27').length).toBeGreaterThan(5);
    expect(files.filter((f) => f.minor >= 29).length).toBeGreaterThan(5);
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

const REPO = join(__dirname, '..');

/** The objects of a YAML text, in order. */
const objectsOf = (text: string): Manifest[] => parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean);

/**
 * What a chart built elsewhere (an upstream manifest, a Helm chart) must look like once the patterns
 * attached: its own objects as they were, but for its pod template, where the workload's containers
 * are unchanged but for the mount of the shared log directory, the volumes are its own plus that
 * directory's emptyDir, and `added` native sidecars run, in this order, before the app.
 */
function expectUntouchedBut(rendered: Manifest[], original: Manifest[], added: string[]): void {
  expect(rendered.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(original.map((m) => `${m.kind}/${m.metadata.name}`));
  rendered.filter((m) => m.kind !== 'Deployment').forEach((m, i) => expect(m).toEqual(original.filter((o) => o.kind !== 'Deployment')[i]));
  const deployment = onlyOf(rendered, 'Deployment');
  const before = onlyOf(original, 'Deployment');
  const spec = podSpecOf(deployment);
  const shared = spec.volumes.find((v: Manifest) => v.name.startsWith('shared-var-log-nginx')).name;
  // Every field of the workload but its pod spec and annotations, as the chart wrote it.
  const { template: renderedTemplate, ...renderedRest } = deployment.spec;
  const { template: originalTemplate, ...originalRest } = before.spec;
  expect({ ...deployment, spec: renderedRest }).toEqual({ ...before, spec: originalRest });
  expect(renderedTemplate.metadata).toEqual({
    ...originalTemplate.metadata,
    annotations: { ...originalTemplate.metadata.annotations, 'kubectl.kubernetes.io/default-container': 'nginx' },
  });
  const { containers, volumes, initContainers, ...podRest } = spec;
  const { containers: originalContainers, volumes: originalVolumes, ...originalPodRest } = originalTemplate.spec;
  expect(podRest).toEqual(originalPodRest);
  // The chart's own container: only the shared directory's mount is added, read-write (nginx writes there).
  expect(containers).toEqual(originalContainers.map((c: Manifest) => ({ ...c, volumeMounts: [...c.volumeMounts, { mountPath: '/var/log/nginx', name: shared }] })));
  expect(volumes).toEqual([...originalVolumes, { emptyDir: { sizeLimit: '128Mi' }, name: shared }]);
  // The patterns' containers: native sidecars in the declared order, before the app, reading the directory.
  expect(initContainers.map((c: Manifest) => [c.name, c.restartPolicy])).toEqual(added.map((name) => [name, 'Always']));
  for (const name of added) {
    expect(containerOf(spec, name).volumeMounts).toEqual([{ mountPath: '/var/log/nginx', name: shared, readOnly: true }]);
    expect(containerOf(spec, name).image).toBe('busybox:1.36');
  }
}

describe('include-example: patterns on the Deployment of an upstream manifest read by Include', () => {
  const rendered = Testing.synth(new IncludeExampleChart(Testing.app(), 'include-example'));
  const original = objectsOf(readFileSync(join(REPO, 'lib', 'examples', 'manifests', 'web.yaml'), 'utf8'));

  test('the manifest\'s objects as shipped, nginx untouched but for the shared log directory; a log shipper and an adapter run before it, native', () => {
    expectUntouchedBut(rendered, original, ['log-shipper', 'log-normalizer']);
  });

  test('the log shipper follows nginx\'s access log, the adapter prints it as JSON', () => {
    const spec = podSpecOf(onlyOf(rendered, 'Deployment'));
    expect(containerOf(spec, 'log-shipper').command.join(' ')).toContain('tail -F -n +1 /var/log/nginx/access.log');
    expect(containerOf(spec, 'log-normalizer').command.join(' ')).toContain("tail -F -n +1 '/var/log/nginx/access.log'");
  });
});

describe('helm-example: a log shipper on every workload of a Helm chart whose pods carry tier: web', () => {
  const chart = new HelmExampleChart(Testing.app(), 'helm-example');
  const rendered = Testing.synth(chart);
  // The same chart, the same values, rendered by helm itself (values as JSON, which is YAML, on stdin).
  const original = objectsOf(
    execFileSync(join(REPO, 'scripts', 'helm'), ['template', 'shop', join(REPO, 'lib', 'examples', 'helm', 'shop'), '-f', '-'], {
      input: JSON.stringify(HELM_EXAMPLE_VALUES),
    }).toString(),
  );

  test('the chart\'s objects as helm renders them, nginx untouched but for the shared log directory; a native log shipper runs before it', () => {
    expect(original.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(['ConfigMap/shop-nginx', 'Service/shop', 'Deployment/shop']);
    expectUntouchedBut(rendered, original, ['log-shipper']);
  });

  test('the chart offers no sidecar values: the pod helm renders has nginx alone, labelled tier: web, and the values reach its config', () => {
    const deployment = onlyOf(original, 'Deployment');
    expect(podSpecOf(deployment).containers.map((c: Manifest) => c.name)).toEqual(['nginx']);
    expect(podSpecOf(deployment).initContainers).toBeUndefined();
    expect(podTemplateOfManifest(deployment).metadata.labels.tier).toBe('web');
    expect(onlyOf(rendered, 'ConfigMap').data['default.conf']).toContain(`return 200 "${HELM_EXAMPLE_VALUES.greeting}\\n";`);
    const values = readFileSync(join(REPO, 'lib', 'examples', 'helm', 'shop', 'values.yaml'), 'utf8');
    expect(values).not.toMatch(/^\s*(sidecars?|extraContainers|initContainers)\s*:/im);
  });

  test('the shipper is scoped under the workload it was selected for', () => {
    expect(chart.node.findAll().filter((c) => c.node.id === 'LogShipper').map((c) => c.node.path)).toEqual(['helm-example/Shop/shop-deployment/LogShipper']);
  });
});

/** The busybox binary, what the pod runs: `busybox` on PATH, else /bin/busybox (CI installs busybox-static). */
const BUSYBOX = [...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'busybox')), '/bin/busybox'].find((file) => existsSync(file));

describe('NGINX_ACCESS_LOG_TO_JSON on the real busybox awk', () => {
  const name = 'turns nginx\'s combined lines into JSON, keeps any other line whole as the message';
  (BUSYBOX ? test : test.skip)(BUSYBOX ? name : `${name} (skipped: no busybox binary on PATH or at /bin/busybox; apt-get install -y busybox-static)`, () => {
    const input = [
      '127.0.0.1 - - [07/Dec/2026:16:00:00 +0000] "GET / HTTP/1.1" 200 17 "-" "Wget"',
      // nginx writes a quote or backslash of a variable as \xHH: the backslash is escaped in JSON.
      '10.214.0.1 - alice [07/Dec/2026:16:00:01 +0000] "GET /a\\x22b HTTP/1.1" 404 153 "http://shop/" "kube-probe/1.34"',
      'not an access log line:\t"quoted" and \\ a backslash',
      '',
    ].join('\n');
    const printed = execFileSync(BUSYBOX!, ['awk', NGINX_ACCESS_LOG_TO_JSON], { input: `${input}\n` }).toString().split('\n');
    expect(printed.pop()).toBe('');
    expect(printed.map((line) => JSON.parse(line))).toEqual([
      { time: '07/Dec/2026:16:00:00 +0000', remote: '127.0.0.1', request: 'GET / HTTP/1.1', status: 200, bytes: 17, referer: '-', agent: 'Wget' },
      { time: '07/Dec/2026:16:00:01 +0000', remote: '10.214.0.1', request: 'GET /a\\x22b HTTP/1.1', status: 404, bytes: 153, referer: 'http://shop/', agent: 'kube-probe/1.34' },
      { message: 'not an access log line:\t"quoted" and \\ a backslash' },
      { message: '' },
    ]);
  });
});
