import { App, ApiObject, Chart, Duration, JsonPatch, Size, Testing } from 'cdk8s';
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
import { RuleId } from '../../lib/checks/rule';
import { addDuplicateObjectValidation, byLevel, CheckResult } from '../../lib/checks/composition';
import { DEFAULT_RULE_LEVELS } from '../../lib/checks/rule-policy';
import { workloadProblems } from '../../lib/checks/workload';
import { ContainerJson } from '../../lib/kubernetes/manifest';
import { EXAMPLE_APP_RESOURCES } from '../../lib/examples/example-workload';
import { KEEP_RUNNING } from './synth';

/** An app with a chart `chart` and a Deployment `Web` whose app container `app` is valid. */
export interface RuleFixture {
  readonly app: App;
  readonly chart: Chart;
}


/** Keeps a busybox sidecar running: on the default image a Sidecar needs a command. */
export { KEEP_RUNNING };

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

/** How to break each rule: builds, in a fresh fixture, the input its definition (`exampleInput`, lib/checks) documents; the "fails when" tests build each and expect its `exampleMessage`. */
export const RULE_EXAMPLES: Record<RuleId, (fixture: RuleFixture) => void> = {
  'object-name': ({ chart }) => webWithShipper(chart, {}, { metadata: { name: 'Web_1' } }),
  namespace: ({ chart }) => webWithShipper(chart, {}, { metadata: { namespace: 'Shop' } }),
  'label-key': ({ chart }) => webWithShipper(chart).podMetadata.addLabel('team name', 'web'),
  'label-value': ({ chart }) => webWithShipper(chart).metadata.addLabel('team', 'web team'),
  'annotation-key': ({ chart }) => webWithShipper(chart).podMetadata.addAnnotation('-bad/', 'x'),
  'container-name': ({ chart }) => new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload: webDeployment(chart), name: 'Log_Shipper' }),
  'duplicate-container-name': ({ chart }) => new InitSteps(chart, 'Init', { workload: webDeployment(chart), handOff: false, steps: [{ name: 'app' }] }),
  'image-reference': ({ chart }) => new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload: webDeployment(chart), image: 'Busybox:1.36!' }),
  'image-tag': ({ chart }) =>
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload: webDeployment(chart), image: 'busybox:latest', resources: EXAMPLE_APP_RESOURCES }),
  'env-name': ({ chart }) =>
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload: webDeployment(chart), envVariables: { '1LEVEL': kplus.EnvValue.fromValue('x') } }),
  'duplicate-env': ({ chart }) => {
    const workload = webWithShipper(chart, { envVariables: { MODE: kplus.EnvValue.fromValue('a') } });
    ApiObject.of(workload).addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/env/-', { name: 'MODE', value: 'b' }));
  },
  'resource-quantity': ({ chart }) =>
    new Sidecar(chart, 'Shipper', {
      command: KEEP_RUNNING,
      workload: webDeployment(chart),
      resources: Resources.container({ cpuMillis: { request: -50, limit: 100 }, memoryMebibytes: { request: 32, limit: 64 } }),
    }),
  'cpu-request': ({ chart }) =>
    new Sidecar(chart, 'Shipper', {
      command: KEEP_RUNNING,
      workload: webDeployment(chart),
      resources: { cpu: { limit: kplus.Cpu.millis(100) }, memory: EXAMPLE_APP_RESOURCES.memory },
    }),
  'cpu-limit': ({ chart }) =>
    new Sidecar(chart, 'Shipper', {
      command: KEEP_RUNNING,
      workload: webDeployment(chart),
      resources: Resources.container({ cpuMillis: { request: 50 }, memoryMebibytes: { request: 32, limit: 64 } }),
    }),
  'memory-request': ({ chart }) =>
    new Sidecar(chart, 'Shipper', {
      command: KEEP_RUNNING,
      workload: webDeployment(chart),
      resources: { cpu: EXAMPLE_APP_RESOURCES.cpu, memory: { limit: EXAMPLE_APP_RESOURCES.memory!.limit } },
    }),
  'memory-limit': ({ chart }) =>
    new Sidecar(chart, 'Shipper', {
      command: KEEP_RUNNING,
      workload: webDeployment(chart),
      resources: Resources.container({ cpuMillis: { request: 50, limit: 100 }, memoryMebibytes: { request: 32 } }),
    }),
  'request-above-limit': ({ chart }) =>
    new Sidecar(chart, 'Shipper', {
      command: KEEP_RUNNING,
      workload: webDeployment(chart),
      resources: Resources.container({ cpuMillis: { request: 500, limit: 100 }, memoryMebibytes: { request: 32, limit: 64 } }),
    }),
  'pod-budget': ({ chart }) => {
    const workload = webDeployment(chart);
    new Sidecar(chart, 'Shipper', {
      command: KEEP_RUNNING,
      workload,
      resources: Resources.container({ cpuMillis: { request: 50, limit: 700 }, memoryMebibytes: { request: 32, limit: 64 } }),
    });
    PodComposition.of(workload).enforceResourceBudget({ cpuMillis: 750, memoryMebibytes: 512 });
  },
  'directory-size-limit': ({ chart }) => {
    const workload = webWithShipper(chart);
    workload.containers[0].mount('/cache', kplus.Volume.fromEmptyDir(chart, 'Cache', 'cache'));
  },
  'unbounded-log-directory': ({ chart }) => {
    const workload = webDeployment(chart);
    new Adapter(chart, 'Logs', { workload, source: AdapterSource.logFile('/var/log/app/app.log') });
    ApiObject.of(workload).addJsonPatch(JsonPatch.remove('/spec/template/spec/volumes/0/emptyDir/sizeLimit'));
  },
  'ephemeral-storage-limit': ({ chart }) =>
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload: webDeployment(chart), sharedPath: '/var/log/app', sharedVolume: { sizeLimit: Size.mebibytes(512) } }),
  'memory-backed-directory': ({ chart }) =>
    new InitSteps(chart, 'Secrets', {
      workload: webDeployment(chart),
      handOffVolume: { medium: kplus.EmptyDirMedium.MEMORY, sizeLimit: Size.mebibytes(128) },
      steps: [{ name: 'render', command: ['sh', '-c', 'echo s3cret > $HANDOFF_DIR/password'] }],
    }),
  'missing-volume': ({ chart }) => {
    const workload = webWithShipper(chart);
    ApiObject.of(workload).addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/volumeMounts', [{ name: 'ghost', mountPath: '/data' }]));
  },
  'duplicate-mount-path': ({ chart }) => {
    const workload = webDeployment(chart);
    workload.containers[0].mount('/var/log/app', kplus.Volume.fromEmptyDir(chart, 'Other', 'other'));
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload, sharedPath: '/var/log/app' });
  },
  'init-container-probe': ({ chart }) => {
    const workload = webWithShipper(chart);
    workload.addInitContainer({
      name: 'migrate',
      image: 'busybox:1.36',
      resources: EXAMPLE_APP_RESOURCES,
      securityContext: RestrictedSecurity.container(),
      lifecycle: { preStop: kplus.Handler.fromCommand(['true']) },
    });
  },
  'port-number': ({ chart }) => webWithShipper(chart, { ports: [{ number: 70000 }] }),
  'port-protocol': ({ chart }) => webWithShipper(chart, { ports: [{ number: 8080, protocol: 'HTTP' as kplus.Protocol }] }),
  'port-conflict': ({ chart }) =>
    new Ambassador(chart, 'Db', { workload: webDeployment(chart, { ports: [{ number: 9000 }] }), upstreams: [{ name: 'db', host: 'db', port: 5432 }] }),
  'port-name': ({ chart }) => webWithShipper(chart, { ports: [{ number: 8080, name: 'web--ui' }] }),
  'duplicate-port-name': ({ chart }) =>
    new Adapter(chart, 'Metrics', { workload: webDeployment(chart, { ports: [{ number: 8080, name: 'metrics' }] }), source: AdapterSource.statsEndpoint(8080) }),
  'run-as-root': ({ chart }) => webWithShipper(chart, { securityContext: { user: 0 } }),
  'privileged-without-escalation': ({ chart }) => webWithShipper(chart, { securityContext: { privileged: true } }),
  'capability-name': ({ chart }) =>
    new Sidecar(chart, 'Shipper', {
      command: KEEP_RUNNING,
      workload: webDeployment(chart),
      securityContext: { capabilities: { add: [kplus.Capability.NET_BIND_SERVICE], drop: [CAPABILITY_ALL] } },
    }),
  'capability-without-drop-all': ({ chart }) =>
    new Sidecar(chart, 'Shipper', {
      command: KEEP_RUNNING,
      workload: webDeployment(chart),
      securityContext: { capabilities: { add: [CAPABILITY_NET_BIND_SERVICE], drop: [] } },
    }),
  'duplicate-object': ({ app, chart }) => {
    addDuplicateObjectValidation(app);
    for (const scope of [chart, new Chart(app, 'other')]) new kplus.ConfigMap(scope, 'Settings', { metadata: { name: 'settings' } });
  },
  'sidecar-mode': ({ chart }) => {
    const job = new kplus.Job(chart, 'Web', { securityContext: RestrictedSecurity.POD, containers: [{ name: 'app', image: 'busybox:1.36', resources: EXAMPLE_APP_RESOURCES, securityContext: RestrictedSecurity.container() }] });
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload: job });
  },
  dependency: ({ chart }) => {
    const workload = webDeployment(chart);
    const proxy = new Ambassador(chart, 'Proxy', { workload, upstreams: [{ name: 'db', host: 'db', port: 5432 }] });
    PodComposition.of(workload).addDependency(workload.containers[0], proxy.container);
  },
  'grace-period': ({ chart }) => {
    const workload = webDeployment(chart, { lifecycle: { preStop: kplus.Handler.fromCommand(['sleep', '4']) } }, { terminationGracePeriod: Duration.seconds(10) });
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload, drainTime: Duration.seconds(8) });
  },
  'target-feature': ({ chart }) => {
    const workload = webWithShipper(chart);
    PodComposition.of(workload).usePodLevelResources({ requests: { cpuMillis: 200, memoryMebibytes: 128 }, limits: { cpuMillis: 500, memoryMebibytes: 256 } });
  },
  'pod-level-resources': ({ chart }) => {
    KubernetesTarget.set(chart, KubernetesVersion.V1_34);
    const workload = webDeployment(chart);
    const small = Resources.container({ cpuMillis: { request: 10, limit: 50 }, memoryMebibytes: { request: 16, limit: 32 } });
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload, resources: small });
    PodComposition.of(workload).usePodLevelResources({ requests: { cpuMillis: 60, memoryMebibytes: 64 }, limits: { cpuMillis: 80, memoryMebibytes: 256 } });
  },
  'default-resources': ({ chart }) => new Sidecar(chart, 'Exporter', { workload: webDeployment(chart), image: 'oliver006/redis_exporter:v1.45.0' }),
  'run-as-non-root-without-user': ({ chart }) => {
    const workload = new kplus.Deployment(chart, 'Web', { containers: [{ name: 'app', image: 'nginx:1.27', resources: EXAMPLE_APP_RESOURCES, securityContext: { capabilities: { drop: [CAPABILITY_ALL] } } }] });
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
  },
  'capabilities-kept': ({ chart }) => {
    const workload = new kplus.Deployment(chart, 'Web', { containers: [{ name: 'app', image: 'nginx:1.27', resources: EXAMPLE_APP_RESOURCES, securityContext: { user: 101 } }] });
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
  },
  'hardening-weakened': ({ chart }) => {
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload: webDeployment(chart), securityContext: { ensureNonRoot: false } });
  },
  'env-overwritten': ({ chart }) => {
    const workload = webDeployment(chart);
    new Ambassador(chart, 'Db', { workload, upstreams: [{ name: 'db', host: 'db', port: 5432 }] });
    workload.containers[0].env.addVariable('DB_ADDR', kplus.EnvValue.fromValue('remote:5432'));
  },
  'container-reference': ({ chart }) => {
    PodComposition.of(webWithShipper(chart)).defaultContainer = 'ap';
  }
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

/** A chart `chart` with a Deployment `Web` whose app container is valid, and the app around it. */
export function fixture(appProps: Partial<kplus.ContainerProps> = {}): { app: App; chart: Chart; workload: kplus.Deployment } {
  const { app, chart } = ruleFixture();
  return { app, chart, workload: webDeployment(chart, appProps) };
}

/** The error synthesis throws, before anything is written. */
export function synthError(app: App): string {
  try {
    app.synthYaml();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('synth did not fail');
}

/** Requests and limits within every rule. */
export const VALID_RESOURCES = { requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } };

/** The rules on a Pod whose one container has `fields`, at the default levels. */
export function checkPod(fields: Partial<ContainerJson>): CheckResult {
  const container = { name: 'app', image: 'busybox:1.36', resources: VALID_RESOURCES, ...fields };
  return byLevel(workloadProblems({ kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [container] } }), (rule) => DEFAULT_RULE_LEVELS[rule]);
}

/** The lines synth reports for a fixture after `build`. */
export function reportOf(build: (f: RuleFixture) => void): string[] {
  const f = ruleFixture();
  build(f);
  return synthReport(f);
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
