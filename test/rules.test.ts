import { ApiObject, App, Chart, Cron, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  Adapter,
  Ambassador,
  Resources,
  KubernetesTarget,
  KubernetesVersion,
  PodComposition,
  Sidecar,
} from '../lib';
import { addDuplicateObjectValidation, byLevel, CheckResult } from '../lib/checks/composition';
import { DEFAULT_RULE_LEVELS, RULE_DEFINITIONS } from '../lib/checks/rule-policy';
import { workloadProblems } from '../lib/checks/workload';
import { ContainerJson } from '../lib/kubernetes/manifest';
import { EXAMPLE_APP_RESOURCES } from '../lib/examples/example-workload';
import { KEEP_RUNNING, RULE_EXAMPLES, ruleFixture, synthReport, webDeployment, webWithShipper } from './support/rule-examples';

/** A chart `chart` with a Deployment `Web` whose app container is valid, and the app around it. */
function fixture(appProps: Partial<kplus.ContainerProps> = {}): { app: App; chart: Chart; workload: kplus.Deployment } {
  const { app, chart } = ruleFixture();
  return { app, chart, workload: webDeployment(chart, appProps) };
}

/** The error synthesis throws, before anything is written. */
function synthError(app: App): string {
  try {
    app.synthYaml();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('synth did not fail');
}

describe('rules checked at synth time', () => {
  test('a valid composition synthesizes without error', () => {
    const { app, workload } = fixture();
    new Sidecar(app.charts[0], 'LogShipper', { command: KEEP_RUNNING, workload, sharedPath: '/var/log/app' });
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('fails when an image reference is empty', () => {
    const { app, chart, workload } = fixture();
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload, image: ' ' });
    expect(synthError(app)).toContain("container 'shipper' (added by chart/Shipper): image is empty. Give an image reference such as 'busybox:1.36'.");
  });

  test('fails when an ambassador has no upstreams', () => {
    const { chart, workload } = fixture();
    expect(() => new Ambassador(chart, 'Db', { workload, upstreams: [] })).toThrow(
      'chart/Db: upstreams is []. Give an array of at least one { name, host, port } to forward to.',
    );
  });

  test('fails when an ambassador port is out of range', () => {
    const { chart, workload } = fixture();
    expect(() => new Ambassador(chart, 'Db', { workload, firstPort: 65535, upstreams: [{ name: 'a', host: 'a', port: 1 }, { name: 'b', host: 'b', port: 1 }] })).toThrow(
      "chart/Db: local port for upstream 'b' (firstPort + 1) is 65536, not a port. Give an integer from 1 to 65535.",
    );
    expect(() => new Ambassador(chart, 'Db2', { workload, upstreams: [{ name: 'a', host: 'a', port: 0 }] })).toThrow(
      "chart/Db2: port of upstream 'a' is 0, not a port.",
    );
  });

  test('fails when an upstream host is not a host name', () => {
    const { chart, workload } = fixture();
    expect(() => new Ambassador(chart, 'Db', { workload, upstreams: [{ name: 'db', host: 'db; rm -rf /', port: 5432 }] })).toThrow(
      "chart/Db: host 'db; rm -rf /' of upstream 'db' is not a host name or IPv4 address.",
    );
  });

  test('fails when an adapter has no source', () => {
    const { chart, workload } = fixture();
    const props = { workload } as unknown as ConstructorParameters<typeof Adapter>[2];
    expect(() => new Adapter(chart, 'Logs', props)).toThrow(
      'chart/Logs: source is undefined. Give AdapterSource.logFile(path) or AdapterSource.statsEndpoint(port, path), or your own `image` (an exporter) that reads the app itself.',
    );
  });

  test('warns, and goes on, when an image has no tag or the latest tag', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    warn.mockClear();
    const { app, chart, workload } = fixture({ image: 'busybox' });
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload, image: 'busybox:latest', resources: EXAMPLE_APP_RESOURCES });
    expect(() => app.synthYaml()).not.toThrow();
    expect(warn.mock.calls.map(([message]) => message)).toEqual([
      "Warning: [chart/Web] container 'app': image 'busybox' can change under the same name. Pin a tag (e.g. 'busybox:1.36') or a digest ('busybox@sha256:...').",
      "Warning: [chart/Web] container 'shipper' (added by chart/Shipper): image 'busybox:latest' can change under the same name. Pin a tag (e.g. 'busybox:1.36') or a digest ('busybox@sha256:...').",
    ]);
  });

  test.each(RULE_DEFINITIONS.map((definition) => [definition.failsWhen, definition.rule, definition] as const))('fails when %s (%s)', (_when, rule, definition) => {
    const fixture = ruleFixture();
    RULE_EXAMPLES[rule].build(fixture);
    expect(synthReport(fixture)).toEqual([definition.exampleMessage]);
  });
});

const VALID_RESOURCES = { requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } };

/** The rules on a Pod whose one container has `fields`, at the default levels. */
function checkPod(fields: Partial<ContainerJson>): CheckResult {
  const container = { name: 'app', image: 'busybox:1.36', resources: VALID_RESOURCES, ...fields };
  return byLevel(workloadProblems({ kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [container] } }), (rule) => DEFAULT_RULE_LEVELS[rule]);
}

/** The lines synth reports for a fixture after `build`. */
function reportOf(build: (f: { app: App; chart: Chart }) => void): string[] {
  const f = ruleFixture();
  build(f);
  return synthReport(f);
}

const SHIPPER = "[chart/Web] container 'shipper' (added by chart/Shipper)";

describe('quantities, ports, names and security contexts the API server or kubelet would refuse', () => {
  test.each([
    ['Size.mebibytes(NaN)', { cpuMillis: { request: 50, limit: 100 }, memoryMebibytes: { request: NaN, limit: 64 } }, "memory request 'NaNMi' is not a Kubernetes quantity"],
    ['Cpu.millis(1e21)', { cpuMillis: { request: 50, limit: 1e21 }, memoryMebibytes: { request: 32, limit: 64 } }, "cpu limit '1e+21m' is not a Kubernetes quantity"],
  ])('fails when a quantity is not one Kubernetes parses: %s', (_input, amounts, message) => {
    const lines = reportOf(({ chart }) => new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload: webDeployment(chart), resources: Resources.container(amounts) }));
    expect(lines).toEqual([
      `${SHIPPER}: ${message}. Write digits with at most one suffix, e.g. '250m' or '0.5' for cpu and '64Mi' or '1Gi' for memory ` +
        '(kplus.Cpu.millis(n) and Size.mebibytes(n) need finite n below 1e21).',
    ]);
  });

  test('accepts plain numbers and fractions as quantities, and compares them exactly', () => {
    const resources = { requests: { cpu: 0.1, memory: '0.5Gi' }, limits: { cpu: '100m', memory: 536870912 } };
    expect(checkPod({ resources })).toEqual({ errors: [], warnings: [] });
  });

  test.each([
    [{ env: [{ name: '..config' }] }, 'env-name', "env name '..config' is invalid"],
    [{ resources: { ...VALID_RESOURCES, requests: { ...VALID_RESOURCES.requests, 'ephemeral-storage': '2Gi' }, limits: { ...VALID_RESOURCES.limits, 'ephemeral-storage': '1Gi' } } }, 'request-above-limit', 'ephemeral-storage request 2Gi is above its limit 1Gi'],
    [{ resources: { ...VALID_RESOURCES, limits: { ...VALID_RESOURCES.limits, 'ephemeral-storage': '1.5.3Gi' } } }, 'resource-quantity', "ephemeral-storage limit '1.5.3Gi' is not a Kubernetes quantity"],
  ])('checks what cdk8s-plus cannot render but a patch can: %j', (container, rule, message) => {
    expect(checkPod(container).errors.map((p) => [p.rule, p.message])).toEqual([[rule, message]]);
  });

  test('adds effective limits exactly: 700m + 100m is 800m, within a budget of 800m', () => {
    const { app, chart, workload } = fixture();
    new Sidecar(chart, 'Shipper', {
      command: KEEP_RUNNING,
      workload,
      resources: Resources.container({ cpuMillis: { request: 50, limit: 700 }, memoryMebibytes: { request: 0.5, limit: 64 } }),
    });
    const composition = PodComposition.of(workload);
    composition.enforceResourceBudget({ cpuMillis: 800, memoryMebibytes: 128 });
    expect(composition.effectiveResources).toEqual({ requests: { cpuMillis: 100, memoryMebibytes: 32.5 }, limits: { cpuMillis: 800, memoryMebibytes: 128 } });
    expect(synthReport({ app, chart })).toEqual([]);
  });

  test('fails when a budget is not a number', () => {
    const { app, chart, workload } = fixture();
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
    PodComposition.of(workload).enforceResourceBudget({ cpuMillis: NaN, memoryMebibytes: 512 });
    expect(synthReport({ app, chart })).toEqual([
      "[chart/Web] the pod's cpu budget NaN is not a number of millicores. Give enforceResourceBudget a finite cpuMillis of 0 or more.",
    ]);
  });

  test('lets TCP and UDP share a port number, but not two UDP listeners', () => {
    const udp = { number: 5353, protocol: kplus.Protocol.UDP };
    expect(reportOf(({ chart }) => webWithSidecarPorts(chart, [{ number: 5353 }], [udp]))).toEqual([]);
    expect(reportOf(({ chart }) => webWithSidecarPorts(chart, [udp], [udp]))).toEqual([
      "[chart/Web] port 5353/UDP is declared by containers 'app' and 'shipper', which share the pod's localhost. " +
        'Give each container its own port (e.g. the ambassador firstPort prop or the adapter metricsPort).',
    ]);
  });

  test('fails when two containers publish one hostPort', () => {
    expect(reportOf(({ chart }) => webWithSidecarPorts(chart, [{ number: 8080, hostPort: 80 }], [{ number: 8081, hostPort: 80 }]))).toEqual([
      "[chart/Web] hostPort 80 is declared by containers 'app' and 'shipper', which the API server refuses. " +
        'Publish each host port from one container, or leave hostPort out (Pod Security Standards "restricted" refuse host ports anyway).',
    ]);
  });

  test('allows hostPort 0, which publishes nothing', () => {
    expect(reportOf(({ chart }) => webWithSidecarPorts(chart, [{ number: 8080, hostPort: 0 }], []))).toEqual([]);
  });

  test('fails when a hostPort is out of range', () => {
    expect(reportOf(({ chart }) => webWithSidecarPorts(chart, [{ number: 8080, hostPort: 0.5 }], []))).toEqual([
      "[chart/Web] container 'app': hostPort 0.5 is not a port number. Use a whole number from 1 to 65535.",
    ]);
  });

  test.each([
    ['CronJob', 'a'.repeat(53), "CronJob name '" + 'a'.repeat(53) + "' has 53 characters, more than 52. Use at most 52: the CronJob controller appends 11 characters to name each Job, whose name has at most 63."],
    ['Job', 'a'.repeat(64), "Job name '" + 'a'.repeat(64) + "' has 64 characters, more than 63. Use at most 63: the Job's pods carry its name in the job-name label, whose values have at most 63."],
    ['StatefulSet', 'a'.repeat(53), "StatefulSet name '" + 'a'.repeat(53) + "' has 53 characters, more than 52. Use at most 52: each pod's controller-revision-hash label is the name, '-' and a hash of up to 10 characters, and label values have at most 63."],
    ['StatefulSet', 'web.shop', "StatefulSet name 'web.shop' is not a DNS-1123 label. Use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit: it names the pods and their host names."],
  ] as const)('fails when a %s name breaks the rules of its kind', (kind, name, message) => {
    const lines = reportOf(({ chart }) => {
      KubernetesTarget.set(chart, KubernetesVersion.V1_29);
      const props = { metadata: { name }, containers: [{ name: 'app', image: 'busybox:1.36', resources: EXAMPLE_APP_RESOURCES, ports: [{ number: 8080 }] }] };
      const workload =
        kind === 'CronJob' ? new kplus.CronJob(chart, 'Web', { ...props, schedule: Cron.daily() })
        : kind === 'Job' ? new kplus.Job(chart, 'Web', props)
        : new kplus.StatefulSet(chart, 'Web', props);
      new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
    });
    expect(lines).toEqual([`[chart/Web] ${message}`]);
  });

  test('fails when metadata.name is given as undefined, which drops the name cdk8s would generate', () => {
    const lines = reportOf(({ chart }) => webWithShipper(chart, {}, { metadata: { name: undefined } }));
    expect(lines).toEqual([
      '[chart/Web] Deployment metadata.name is undefined, which the API server refuses. ' +
        'Leave name out of metadata to let cdk8s generate one (name: undefined removes it), or give a name.',
    ]);
  });

  test("fails when the pod's runAsUser is 0 and a container must not run as root", () => {
    // The app's own runAsUser removed, so the pod's applies (undefined in securityContext keeps the restricted uid).
    const lines = reportOf(({ chart }) =>
      ApiObject.of(webWithShipper(chart, {}, { securityContext: { user: 0 } })).addJsonPatch(JsonPatch.remove('/spec/template/spec/containers/0/securityContext/runAsUser')),
    );
    expect(lines).toEqual([
      "[chart/Web] container 'app': runs as uid 0 (the pod's runAsUser) with runAsNonRoot true, which the kubelet refuses to start. " +
        'Set runAsUser to a non-zero uid such as 65534 (RestrictedSecurity.NON_ROOT_ID), or runAsNonRoot to false if it must run as root.',
    ]);
  });

  test('names the field of each security problem: the container\'s own context, or the pod\'s', () => {
    const container = (name: string, securityContext: object) => ({ name, image: 'busybox:1.36', resources: VALID_RESOURCES, securityContext });
    const problems = workloadProblems({
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        containers: [],
        template: {
          spec: {
            securityContext: { runAsUser: 0 },
            initContainers: [container('setup', { runAsNonRoot: true })],
            containers: [
              container('app', { runAsNonRoot: true, runAsUser: 0, privileged: true, allowPrivilegeEscalation: false }),
              container('proxy', { capabilities: { add: ['CAP_NET_ADMIN'] } }),
            ],
          },
        },
      },
    });
    expect(problems.map(({ rule, container, field }) => [rule, container, field])).toEqual([
      ['run-as-root', 'setup', 'spec.template.spec.securityContext.runAsUser'],
      ['run-as-root', 'app', 'spec.template.spec.containers[0].securityContext.runAsUser'],
      ['privileged-without-escalation', 'app', 'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation'],
      ['capability-name', 'proxy', 'spec.template.spec.containers[1].securityContext.capabilities.add[0]'],
      ['capability-without-drop-all', 'proxy', 'spec.template.spec.containers[1].securityContext.capabilities.drop'],
    ]);
  });

  test('allows one name in two namespaces, and checks duplicates once however often it is added', () => {
    const lines = reportOf(({ app, chart }) => {
      addDuplicateObjectValidation(chart);
      addDuplicateObjectValidation(app);
      new kplus.ConfigMap(chart, 'A', { metadata: { name: 'settings', namespace: 'shop' } });
      new kplus.ConfigMap(chart, 'B', { metadata: { name: 'settings', namespace: 'billing' } });
      new kplus.ConfigMap(chart, 'C', { metadata: { name: 'settings', namespace: 'billing' } });
    });
    expect(lines).toEqual([
      "[] ConfigMap 'settings' in namespace 'billing' is defined twice, by chart/B and chart/C. " +
        'Give one of them another metadata.name or namespace: applied together, the second would replace the first.',
    ]);
  });
});

function webWithSidecarPorts(chart: Chart, appPorts: kplus.ContainerPort[], sidecarPorts: kplus.ContainerPort[]): void {
  new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload: webDeployment(chart, { ports: appPorts }), ports: sidecarPorts });
}
