import { App, ApiObject, Chart, Duration, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  Adapter,
  AdapterSource,
  Ambassador,
  CAPABILITY_ALL,
  CAPABILITY_NET_BIND_SERVICE,
  RestrictedSecurity,
  Resources,
  InitSteps,
  KubernetesTarget,
  KubernetesVersion,
  PodComposition,
  Sidecar,
} from '../../lib';
import { RuleId } from '../../lib/rule-policy';
import { addDuplicateObjectValidation } from '../../lib/rules';
import { EXAMPLE_APP_RESOURCES } from '../../lib/examples/example-workload';

/** An app with a chart `chart` and a Deployment `Web` whose app container `app` is valid. */
export interface RuleFixture {
  readonly app: App;
  readonly chart: Chart;
}

/** One way to break a rule: what a user writes, and the line synth prints for it. */
export interface RuleExample {
  /** Ends the test title "fails when ...". */
  readonly when: string;
  /** The input, as the rules table (docs/rules.md) shows it. */
  readonly input: string;
  /** Builds the mistake in a fresh fixture. */
  readonly build: (fixture: RuleFixture) => void;
  /** The exact line synth fails with (or warns with, for rules that are warnings by default). */
  readonly message: string;
}

/** Keeps a busybox sidecar running: on the default image a Sidecar needs a command. */
export const KEEP_RUNNING = ['sh', '-c', 'sleep 3600'];

/**
 * A Deployment `Web` in `chart` with a valid app container, `appProps` merged in (its security
 * context field by field over the restricted one, so only the field a test sets is wrong).
 */
export function webDeployment(chart: Chart, appProps: Partial<kplus.ContainerProps> = {}, props: Partial<kplus.DeploymentProps> = {}): kplus.Deployment {
  return new kplus.Deployment(chart, 'Web', {
    securityContext: RestrictedSecurity.POD,
    ...props,
    containers: [
      {
        name: 'app',
        image: 'busybox:1.36',
        resources: EXAMPLE_APP_RESOURCES,
        ...appProps,
        securityContext: RestrictedSecurity.container(appProps.securityContext),
      },
    ],
  });
}

/** A Deployment `Web` with `appProps` and a log shipper sidecar, so the patterns' rules see it. */
export function webWithShipper(chart: Chart, appProps: Partial<kplus.ContainerProps> = {}, props: Partial<kplus.DeploymentProps> = {}): kplus.Deployment {
  const workload = webDeployment(chart, appProps, props);
  new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
  return workload;
}

const COMPOSITION = '[chart/Web]';
const LABEL_FIX = "Use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit.";
const KEY_FIX =
  "Use an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit (e.g. 'app.kubernetes.io/name').";

/** One example per rule: the "fails when" tests and the rules table of docs/rules.md both read these. */
export const RULE_EXAMPLES: Record<RuleId, RuleExample> = {
  'object-name': {
    when: "a workload's name is not a DNS-1123 subdomain",
    input: "`metadata: { name: 'Web_1' }` on the Deployment",
    build: ({ chart }) => webWithShipper(chart, {}, { metadata: { name: 'Web_1' } }),
    message:
      `${COMPOSITION} Deployment name 'Web_1' is not a DNS-1123 subdomain. Use at most 253 lower-case letters, digits, '-' and '.', ` +
      "each part starting and ending with a letter or digit (cdk8s derives names from construct ids; metadata: { name } sets one).",
  },
  namespace: {
    when: 'a namespace is not a DNS-1123 label',
    input: "`metadata: { namespace: 'Shop' }` on the Deployment",
    build: ({ chart }) => webWithShipper(chart, {}, { metadata: { namespace: 'Shop' } }),
    message: `${COMPOSITION} Deployment namespace 'Shop' is not a DNS-1123 label. ${LABEL_FIX}`,
  },
  'label-key': {
    when: 'a label key is invalid',
    input: "`workload.podMetadata.addLabel('team name', 'web')`",
    build: ({ chart }) => webWithShipper(chart).podMetadata.addLabel('team name', 'web'),
    message: `${COMPOSITION} pod template label key 'team name' is invalid. ${KEY_FIX}`,
  },
  'label-value': {
    when: 'a label value is invalid',
    input: "`workload.metadata.addLabel('team', 'web team')`",
    build: ({ chart }) => webWithShipper(chart).metadata.addLabel('team', 'web team'),
    message:
      `${COMPOSITION} Deployment label 'team' has value 'web team', which is not a label value. ` +
      "Use at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit.",
  },
  'annotation-key': {
    when: 'an annotation key is invalid',
    input: "`workload.podMetadata.addAnnotation('-bad/', 'x')`",
    build: ({ chart }) => webWithShipper(chart).podMetadata.addAnnotation('-bad/', 'x'),
    message: `${COMPOSITION} pod template annotation key '-bad/' is invalid. ${KEY_FIX}`,
  },
  'container-name': {
    when: 'a container name is not a DNS-1123 label',
    input: "`new Sidecar(chart, 'Shipper', { workload, name: 'Log_Shipper' })`",
    build: ({ chart }) => new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload: webDeployment(chart), name: 'Log_Shipper' }),
    message: `${COMPOSITION} container 'Log_Shipper' (added by chart/Shipper): name is not a DNS-1123 label. ${LABEL_FIX}`,
  },
  'duplicate-container-name': {
    when: 'two containers share a name across init and app containers',
    input: "`new InitSteps(chart, 'Init', { workload, steps: [{ name: 'app' }] })`",
    build: ({ chart }) => new InitSteps(chart, 'Init', { workload: webDeployment(chart), handOff: false, steps: [{ name: 'app' }] }),
    message: `${COMPOSITION} container name 'app' is used twice. Give each init and app container a name of its own.`,
  },
  'image-reference': {
    when: 'an image reference is malformed',
    input: "`image: 'Busybox:1.36!'`",
    build: ({ chart }) => new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload: webDeployment(chart), image: 'Busybox:1.36!' }),
    message:
      `${COMPOSITION} container 'shipper' (added by chart/Shipper): image 'Busybox:1.36!' is not a valid image reference. ` +
      "Use [registry/]name[:tag][@digest] with a lower-case name, e.g. 'registry.example.com/team/app:1.2.3'.",
  },
  'image-tag': {
    when: 'an image has the latest tag (a warning)',
    input: "`image: 'busybox:latest'`",
    build: ({ chart }) =>
      new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload: webDeployment(chart), image: 'busybox:latest', resources: EXAMPLE_APP_RESOURCES }),
    message:
      "Warning: [chart/Web] container 'shipper' (added by chart/Shipper): image 'busybox:latest' can change under the same name. " +
      "Pin a tag (e.g. 'busybox:1.36') or a digest ('busybox@sha256:...').",
  },
  'env-name': {
    when: 'an env name is invalid',
    input: "`envVariables: { '1LEVEL': kplus.EnvValue.fromValue('x') }`",
    build: ({ chart }) =>
      new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload: webDeployment(chart), envVariables: { '1LEVEL': kplus.EnvValue.fromValue('x') } }),
    message:
      `${COMPOSITION} container 'shipper' (added by chart/Shipper): env name '1LEVEL' is invalid. ` +
      "Use letters, digits, '_', '-' and '.', not starting with a digit or '..', and not just '.'.",
  },
  'duplicate-env': {
    when: 'an env name is set twice in a container',
    input: "a JSON patch adding a second `MODE` to the app's env",
    build: ({ chart }) => {
      const workload = webWithShipper(chart, { envVariables: { MODE: kplus.EnvValue.fromValue('a') } });
      ApiObject.of(workload).addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/env/-', { name: 'MODE', value: 'b' }));
    },
    message: `${COMPOSITION} container 'app': env 'MODE' is set twice. Set each variable once (patterns add HANDOFF_DIR and <UPSTREAM>_ADDR).`,
  },
  'resource-quantity': {
    when: 'a resource amount is negative',
    input: '`Resources.container({ cpuMillis: { request: -50, limit: 100 }, ... })`',
    build: ({ chart }) =>
      new Sidecar(chart, 'Shipper', {
        command: KEEP_RUNNING,
        workload: webDeployment(chart),
        resources: Resources.container({ cpuMillis: { request: -50, limit: 100 }, memoryMebibytes: { request: 32, limit: 64 } }),
      }),
    message: `${COMPOSITION} container 'shipper' (added by chart/Shipper): cpu request '-50m' is negative. Use 0 or more.`,
  },
  'cpu-request': {
    when: 'a cpu request is missing',
    input: '`resources: { cpu: { limit: kplus.Cpu.millis(100) }, memory: ... }`',
    build: ({ chart }) =>
      new Sidecar(chart, 'Shipper', {
        command: KEEP_RUNNING,
        workload: webDeployment(chart),
        resources: { cpu: { limit: kplus.Cpu.millis(100) }, memory: EXAMPLE_APP_RESOURCES.memory },
      }),
    message: missingMessage('cpu', 'request'),
  },
  'cpu-limit': {
    when: 'a cpu limit is missing',
    input: '`Resources.container({ cpuMillis: { request: 50 }, ... })`',
    build: ({ chart }) =>
      new Sidecar(chart, 'Shipper', {
        command: KEEP_RUNNING,
        workload: webDeployment(chart),
        resources: Resources.container({ cpuMillis: { request: 50 }, memoryMebibytes: { request: 32, limit: 64 } }),
      }),
    message: missingMessage('cpu', 'limit'),
  },
  'memory-request': {
    when: 'a memory request is missing',
    input: '`resources: { cpu: ..., memory: { limit: Size.mebibytes(64) } }`',
    build: ({ chart }) =>
      new Sidecar(chart, 'Shipper', {
        command: KEEP_RUNNING,
        workload: webDeployment(chart),
        resources: { cpu: EXAMPLE_APP_RESOURCES.cpu, memory: { limit: EXAMPLE_APP_RESOURCES.memory!.limit } },
      }),
    message: missingMessage('memory', 'request'),
  },
  'memory-limit': {
    when: 'a memory limit is missing',
    input: '`Resources.container({ ..., memoryMebibytes: { request: 32 } })`',
    build: ({ chart }) =>
      new Sidecar(chart, 'Shipper', {
        command: KEEP_RUNNING,
        workload: webDeployment(chart),
        resources: Resources.container({ cpuMillis: { request: 50, limit: 100 }, memoryMebibytes: { request: 32 } }),
      }),
    message: missingMessage('memory', 'limit'),
  },
  'request-above-limit': {
    when: 'a request is above its limit',
    input: '`Resources.container({ cpuMillis: { request: 500, limit: 100 }, ... })`',
    build: ({ chart }) =>
      new Sidecar(chart, 'Shipper', {
        command: KEEP_RUNNING,
        workload: webDeployment(chart),
        resources: Resources.container({ cpuMillis: { request: 500, limit: 100 }, memoryMebibytes: { request: 32, limit: 64 } }),
      }),
    message: `${COMPOSITION} container 'shipper' (added by chart/Shipper): cpu request 500m is above its limit 100m. Lower the request or raise the limit.`,
  },
  'pod-budget': {
    when: "the pod's effective limits are above its budget",
    input: '`PodComposition.of(workload).enforceResourceBudget({ cpuMillis: 750, memoryMebibytes: 512 })`, app limit 100m + sidecar limit 700m',
    build: ({ chart }) => {
      const workload = webDeployment(chart);
      new Sidecar(chart, 'Shipper', {
        command: KEEP_RUNNING,
        workload,
        resources: Resources.container({ cpuMillis: { request: 50, limit: 700 }, memoryMebibytes: { request: 32, limit: 64 } }),
      });
      PodComposition.of(workload).enforceResourceBudget({ cpuMillis: 750, memoryMebibytes: 512 });
    },
    message:
      `${COMPOSITION} the pod's effective cpu limit 800m is above its budget 750m. ` +
      "The biggest limits are 'shipper' 700m, 'app' 100m: lower them or raise the budget.",
  },
  'missing-volume': {
    when: 'a container mounts a volume the pod does not have',
    input: "a JSON patch adding `volumeMounts: [{ name: 'ghost', mountPath: '/data' }]` to the app",
    build: ({ chart }) => {
      const workload = webWithShipper(chart);
      ApiObject.of(workload).addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/volumeMounts', [{ name: 'ghost', mountPath: '/data' }]));
    },
    message:
      `${COMPOSITION} container 'app': mounts volume 'ghost' at /data, which the pod does not have. ` +
      'Mount the volume through container.mount(path, volume) so it is added to the pod, or add it with addVolume.',
  },
  'duplicate-mount-path': {
    when: 'two volumes are mounted on one path in a container',
    input: "the app mounts another volume at `/var/log/app`, then `new Sidecar(chart, 'Shipper', { workload, sharedPath: '/var/log/app' })`",
    build: ({ chart }) => {
      const workload = webDeployment(chart);
      workload.containers[0].mount('/var/log/app', kplus.Volume.fromEmptyDir(chart, 'Other', 'other'));
      new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload, sharedPath: '/var/log/app' });
    },
    message: `${COMPOSITION} container 'app': two volumes are mounted at /var/log/app. Mount each path once (patterns share one emptyDir per path).`,
  },
  'init-container-probe': {
    when: 'a run-to-completion init container has a lifecycle hook or probe',
    input: "`workload.addInitContainer({ name: 'migrate', ..., lifecycle: { preStop: kplus.Handler.fromCommand(['true']) } })`",
    build: ({ chart }) => {
      const workload = webWithShipper(chart);
      workload.addInitContainer({
        name: 'migrate',
        image: 'busybox:1.36',
        resources: EXAMPLE_APP_RESOURCES,
        securityContext: RestrictedSecurity.container(),
        lifecycle: { preStop: kplus.Handler.fromCommand(['true']) },
      });
    },
    message:
      `${COMPOSITION} container 'migrate': an init container that runs to completion cannot have lifecycle. ` +
      'Remove it, or make the container a native sidecar (restartPolicy: Always), which can have probes and hooks.',
  },
  'port-number': {
    when: 'a container port is out of range',
    input: '`ports: [{ number: 70000 }]` on the app',
    build: ({ chart }) => webWithShipper(chart, { ports: [{ number: 70000 }] }),
    message: `${COMPOSITION} container 'app': containerPort 70000 is not a port number. Use a whole number from 1 to 65535.`,
  },
  'port-protocol': {
    when: 'a port has a protocol Kubernetes does not know',
    input: "`ports: [{ number: 8080, protocol: 'HTTP' as kplus.Protocol }]` (from JavaScript)",
    build: ({ chart }) => webWithShipper(chart, { ports: [{ number: 8080, protocol: 'HTTP' as kplus.Protocol }] }),
    message: `${COMPOSITION} container 'app': port 8080 has protocol 'HTTP', which Kubernetes does not know. Use TCP, UDP or SCTP (upper case).`,
  },
  'port-conflict': {
    when: 'two containers listen on one port and protocol',
    input: "app with `ports: [{ number: 9000 }]` + `new Ambassador(chart, 'Db', { workload, upstreams: [...] })`",
    build: ({ chart }) =>
      new Ambassador(chart, 'Db', { workload: webDeployment(chart, { ports: [{ number: 9000 }] }), upstreams: [{ name: 'db', host: 'db', port: 5432 }] }),
    message:
      `${COMPOSITION} port 9000 is declared by containers 'app' and 'db', which share the pod's localhost. ` +
      'Give each container its own port (e.g. the ambassador firstPort prop or the adapter metricsPort).',
  },
  'port-name': {
    when: 'a port name is not an IANA service name',
    input: "`ports: [{ number: 8080, name: 'web--ui' }]` on the app",
    build: ({ chart }) => webWithShipper(chart, { ports: [{ number: 8080, name: 'web--ui' }] }),
    message:
      `${COMPOSITION} container 'app': port name 'web--ui' is invalid. ` +
      "Use at most 15 lower-case letters, digits and '-', with at least one letter, no '--', and a letter or digit at each end.",
  },
  'duplicate-port-name': {
    when: 'two ports share a name',
    input: 'app port named `metrics` + a stats `Adapter` (port `metrics`)',
    build: ({ chart }) =>
      new Adapter(chart, 'Metrics', { workload: webDeployment(chart, { ports: [{ number: 8080, name: 'metrics' }] }), source: AdapterSource.statsEndpoint(8080) }),
    message: `${COMPOSITION} port name 'metrics' is used twice in the pod. Give each named port a name of its own.`,
  },
  'run-as-root': {
    when: 'a container must not run as root but runs as uid 0',
    input: '`securityContext: { user: 0 }` on the app (cdk8s-plus sets runAsNonRoot: true)',
    build: ({ chart }) => webWithShipper(chart, { securityContext: { user: 0 } }),
    message:
      `${COMPOSITION} container 'app': runs as uid 0 (its runAsUser) with runAsNonRoot true, which the kubelet refuses to start. ` +
      'Set runAsUser to a non-zero uid such as 65534 (RestrictedSecurity.NON_ROOT_ID), or runAsNonRoot to false if it must run as root.',
  },
  'privileged-without-escalation': {
    when: 'a container is privileged without privilege escalation',
    input: '`securityContext: { privileged: true }` on the app (cdk8s-plus sets allowPrivilegeEscalation: false)',
    build: ({ chart }) => webWithShipper(chart, { securityContext: { privileged: true } }),
    message:
      `${COMPOSITION} container 'app': is privileged with allowPrivilegeEscalation false, which the API server refuses. ` +
      'Set allowPrivilegeEscalation: true beside privileged: true (cdk8s-plus sets it false by default), or drop privileged.',
  },
  'capability-name': {
    when: 'a capability is named with the CAP_ prefix',
    input: '`capabilities: { add: [kplus.Capability.NET_BIND_SERVICE], drop: [CAPABILITY_ALL] }` on a sidecar',
    build: ({ chart }) =>
      new Sidecar(chart, 'Shipper', {
        command: KEEP_RUNNING,
        workload: webDeployment(chart),
        securityContext: { capabilities: { add: [kplus.Capability.NET_BIND_SERVICE], drop: [CAPABILITY_ALL] } },
      }),
    message:
      `${COMPOSITION} container 'shipper' (added by chart/Shipper): capability 'CAP_NET_BIND_SERVICE' has the CAP_ prefix: ` +
      "Kubernetes names capabilities without it, and Pod Security Standards refuse it. Use 'NET_BIND_SERVICE' (e.g. 'NET_BIND_SERVICE' as kplus.Capability, " +
      "or CAPABILITY_NET_BIND_SERVICE and CAPABILITY_ALL): cdk8s-plus' Capability enum adds the prefix.",
  },
  'capability-without-drop-all': {
    when: 'a capability is added without dropping ALL (a warning)',
    input: "`securityContext: { capabilities: { add: [CAPABILITY_NET_BIND_SERVICE], drop: [] } }` on a sidecar",
    build: ({ chart }) =>
      new Sidecar(chart, 'Shipper', {
        command: KEEP_RUNNING,
        workload: webDeployment(chart),
        securityContext: { capabilities: { add: [CAPABILITY_NET_BIND_SERVICE], drop: [] } },
      }),
    message:
      "Warning: [chart/Web] container 'shipper' (added by chart/Shipper): adds capabilities NET_BIND_SERVICE without dropping ALL. " +
      'Add drop: [CAPABILITY_ALL] and add back only what it needs, as Pod Security Standards "restricted" require.',
  },
  'duplicate-object': {
    when: 'two charts of one app define the same kind, namespace and name',
    input: "`new kplus.ConfigMap(chart, 'Settings', { metadata: { name: 'settings' } })` in two charts",
    build: ({ app, chart }) => {
      addDuplicateObjectValidation(app);
      for (const scope of [chart, new Chart(app, 'other')]) new kplus.ConfigMap(scope, 'Settings', { metadata: { name: 'settings' } });
    },
    message:
      "[] ConfigMap 'settings' without a namespace is defined twice, by chart/Settings and other/Settings. " +
      'Give one of them another metadata.name or namespace: applied together, the second would replace the first.',
  },
  'sidecar-mode': {
    when: 'a classic helper is attached to a Job, which would never complete',
    input: "`new Sidecar(chart, 'Shipper', { workload: job, command })` in a chart targeting 1.27",
    build: ({ chart }) => {
      const job = new kplus.Job(chart, 'Web', { securityContext: RestrictedSecurity.POD, containers: [{ name: 'app', image: 'busybox:1.36', resources: EXAMPLE_APP_RESOURCES, securityContext: RestrictedSecurity.container() }] });
      new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload: job });
    },
    message:
      `${COMPOSITION} container 'shipper' (added by chart/Shipper): a classic sidecar in Job chart/Web keeps the pod running after the app finishes, so it never completes. ` +
      'Use native mode: KubernetesTarget.set(chart, KubernetesVersion.V1_29) on its chart (or mode: SidecarMode.NATIVE).',
  },
  dependency: {
    when: 'a declared dependency cannot be guaranteed',
    input: '`PodComposition.of(workload).addDependency(app, proxy.container)` with a classic ambassador',
    build: ({ chart }) => {
      const workload = webDeployment(chart);
      const proxy = new Ambassador(chart, 'Proxy', { workload, upstreams: [{ name: 'db', host: 'db', port: 5432 }] });
      PodComposition.of(workload).addDependency(workload.containers[0], proxy.container);
    },
    message:
      `${COMPOSITION} container 'app': depends on 'proxy' being ready, but 'proxy' is an app container (classic mode), and app containers start together with no order. ` +
      'Make it a native sidecar (KubernetesTarget 1.29+, or mode: SidecarMode.NATIVE).',
  },
  'grace-period': {
    when: "the grace period does not cover the app's preStop plus the longest drain",
    input: "`terminationGracePeriod: Duration.seconds(10)`, the app's preStop `sleep 4`, a sidecar with `drainTime: Duration.seconds(8)`",
    build: ({ chart }) => {
      const workload = webDeployment(chart, { lifecycle: { preStop: kplus.Handler.fromCommand(['sleep', '4']) } }, { terminationGracePeriod: Duration.seconds(10) });
      new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload, drainTime: Duration.seconds(8) });
    },
    message:
      `${COMPOSITION} terminationGracePeriodSeconds is 10, but the app's preStop takes 4 s and 'shipper' drains for 8 s: 4 + 8 = 12 s, so the kubelet would kill it mid-drain. ` +
      'Set terminationGracePeriod on the workload to at least 12 s, or shorten drainTime.',
  },
  'target-feature': {
    when: 'a feature is used on a target without it',
    input: '`PodComposition.of(workload).usePodLevelResources(...)` in a chart targeting 1.27',
    build: ({ chart }) => {
      const workload = webWithShipper(chart);
      PodComposition.of(workload).usePodLevelResources({ requests: { cpuMillis: 200, memoryMebibytes: 128 }, limits: { cpuMillis: 500, memoryMebibytes: 256 } });
    },
    message:
      `${COMPOSITION} usePodLevelResources needs pod-level resources, first on by default in Kubernetes 1.34, but the chart targets 1.27. ` +
      "Call KubernetesTarget.set(chart, KubernetesVersion.parse('1.34')) if your clusters run 1.34 or later, or do without it.",
  },
  'pod-level-resources': {
    when: 'a container limit is above the pod-level limit (KEP-2837)',
    input: 'pod-level cpu limit 80m on 1.34, app limit 100m',
    build: ({ chart }) => {
      KubernetesTarget.set(chart, KubernetesVersion.V1_34);
      const workload = webDeployment(chart);
      const small = Resources.container({ cpuMillis: { request: 10, limit: 50 }, memoryMebibytes: { request: 16, limit: 32 } });
      new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload, resources: small });
      PodComposition.of(workload).usePodLevelResources({ requests: { cpuMillis: 60, memoryMebibytes: 64 }, limits: { cpuMillis: 80, memoryMebibytes: 256 } });
    },
    message:
      `${COMPOSITION} container 'app': has a cpu limit 100m above the pod-level limit 80m (KEP-2837). Lower the container limit or raise the pod-level one.`,
  },
  'default-resources': {
    when: "a pattern container runs its own image on the pattern's busybox-sized resources (a warning)",
    input: "`new Sidecar(chart, 'Exporter', { workload, image: 'oliver006/redis_exporter:v1.45.0' })`",
    build: ({ chart }) => new Sidecar(chart, 'Exporter', { workload: webDeployment(chart), image: 'oliver006/redis_exporter:v1.45.0' }),
    message:
      "Warning: [chart/Web] container 'exporter' (added by chart/Exporter): runs image 'oliver006/redis_exporter:v1.45.0' on its pattern's default resources, sized for busybox. " +
      'Give `resources` measured for that image.',
  },
  'run-as-non-root-without-user': {
    when: 'a container of yours has runAsNonRoot but no runAsUser (a warning)',
    input: "`containers: [{ name: 'app', image: 'nginx:1.27', securityContext: { capabilities: { drop: [CAPABILITY_ALL] } } }]` (cdk8s-plus sets runAsNonRoot)",
    build: ({ chart }) => {
      const workload = new kplus.Deployment(chart, 'Web', { containers: [{ name: 'app', image: 'nginx:1.27', resources: EXAMPLE_APP_RESOURCES, securityContext: { capabilities: { drop: [CAPABILITY_ALL] } } }] });
      new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
    },
    message:
      "Warning: [chart/Web] container 'app': has runAsNonRoot but no runAsUser: a kubelet refuses to start it (CreateContainerConfigError) if its image's user is root. " +
      'Set securityContext.user to the non-root uid the image runs as (e.g. 101 for nginx-unprivileged, 65534 for nobody).',
  },
  'capabilities-kept': {
    when: 'a container of yours keeps its capabilities (a warning)',
    input: "`containers: [{ name: 'app', image: 'nginx:1.27', securityContext: { user: 101 } }]`",
    build: ({ chart }) => {
      const workload = new kplus.Deployment(chart, 'Web', { containers: [{ name: 'app', image: 'nginx:1.27', resources: EXAMPLE_APP_RESOURCES, securityContext: { user: 101 } }] });
      new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
    },
    message:
      "Warning: [chart/Web] container 'app': keeps its capabilities, which the restricted Pod Security profile refuses. " +
      'Set securityContext.capabilities to { drop: [CAPABILITY_ALL] } (add CAPABILITY_NET_BIND_SERVICE only if it binds a port below 1024).',
  },
  'hardening-weakened': {
    when: "a pattern container's securityContext turns its hardening off (a warning; what you give is kept)",
    input: "`new Sidecar(chart, 'Shipper', { workload, securityContext: { ensureNonRoot: false } })`",
    build: ({ chart }) => {
      new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload: webDeployment(chart), securityContext: { ensureNonRoot: false } });
    },
    message:
      "Warning: [chart/Web] container 'shipper' (added by chart/Shipper): is a pattern container whose securityContext turns its hardening off (runAsNonRoot false), which the restricted Pod Security profile refuses. " +
      "Leave those fields out to keep the pattern's hardening, or set the rule off for this container with a reason (RulePolicy).",
  },
  'env-overwritten': {
    when: "a variable a pattern set is replaced afterwards by the container's own env",
    input: "`new Ambassador(chart, 'Db', { workload, upstreams: [{ name: 'db', ... }] })`, then `app.env.addVariable('DB_ADDR', ...)`",
    build: ({ chart }) => {
      const workload = webDeployment(chart);
      new Ambassador(chart, 'Db', { workload, upstreams: [{ name: 'db', host: 'db', port: 5432 }] });
      workload.containers[0].env.addVariable('DB_ADDR', kplus.EnvValue.fromValue('remote:5432'));
    },
    message:
      `${COMPOSITION} container 'app': env DB_ADDR, set by chart/Db to 'localhost:9000', was replaced afterwards with 'remote:5432'. ` +
      'Set the variable once: rename your own variable, or leave it to the pattern.',
  },
  'container-reference': {
    when: 'the default container names no container of the pod',
    input: "`PodComposition.of(workload).defaultContainer = 'ap'`",
    build: ({ chart }) => {
      PodComposition.of(webWithShipper(chart)).defaultContainer = 'ap';
    },
    message:
      `${COMPOSITION} the default container 'ap' is not a container of the pod (its containers: 'app', 'shipper'), so kubectl logs and kubectl exec without -c would fail. ` +
      'Set defaultContainer (or the annotation) to one of those names.',
  },
};

/** The line for a missing request or limit, about the container `head` names (by default the log shipper). */
export function missingMessage(resource: string, kind: string, head = `${COMPOSITION} container 'shipper' (added by chart/Shipper)`): string {
  return (
    `${head}: ${resource} ${kind} is missing. ` +
    `Give resources.${resource} a request and a limit (the patterns' defaults are documented in the README), ` +
    `or set RulePolicy.set(scope, Rule.${resource.toUpperCase()}_${kind.toUpperCase()}, RuleLevel.OFF, { reason }).`
  );
}

/** A fresh app with its chart `chart`. */
export function ruleFixture(): RuleFixture {
  const app = Testing.app();
  return { app, chart: new Chart(app, 'chart') };
}

/**
 * Every line synth reports for the fixture: its errors (synth fails) and its warnings (printed),
 * without the "Validation failed" header.
 */
export function synthReport({ app }: RuleFixture): string[] {
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  warn.mockClear();
  try {
    app.synthYaml();
    return warn.mock.calls.map(([line]) => String(line));
  } catch (error) {
    return (error as Error).message.split('\n').slice(1).map((line) => line.trim());
  }
}
