import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  Ambassador,
  DependencyCondition,
  InitSteps,
  KubernetesFeature,
  KubernetesTarget,
  KubernetesVersion,
  PodComposition,
  Runbook,
  Sidecar,
  SidecarMode,
} from '../lib';
import { EXAMPLE_APP_RESOURCES } from '../lib/examples/example-workload';
import { RestrictedSecurity } from '../lib/patterns/container-defaults';
import { FEATURE_HISTORY } from '../lib/kubernetes/kubernetes-target';
import { validateForTarget } from './support/kubernetes-schema';
import { containerOf, KEEP_RUNNING, Manifest, podSpecOf } from './support/synth';

function job(version: KubernetesVersion, props: Partial<kplus.JobProps> = {}) {
  const chart = new Chart(Testing.app(), 'test');
  KubernetesTarget.set(chart, version);
  const workload = new kplus.Job(chart, 'Batch', {
    securityContext: RestrictedSecurity.POD,
    containers: [{ name: 'app', image: 'busybox:1.36', command: ['true'], resources: EXAMPLE_APP_RESOURCES, securityContext: RestrictedSecurity.container() }],
    ...props,
  });
  return { chart, workload, pod: PodComposition.of(workload) };
}

const specOf = (chart: Chart): Manifest => podSpecOf(Testing.synth(chart)[0]);
const initNames = (chart: Chart) => specOf(chart).initContainers.map((c: Manifest) => c.name);

describe('declared dependencies', () => {
  test('a native sidecar declared first but depending on an init step completing is placed after it', () => {
    const { chart, workload, pod } = job(KubernetesVersion.V1_29);
    const proxy = new Ambassador(chart, 'Proxy', { workload, upstreams: [{ name: 'db', host: 'db', port: 5432 }] });
    const init = new InitSteps(chart, 'Init', { workload, handOff: false, steps: [{ name: 'fetch-certs', command: ['true'] }] });
    expect(initNames(chart)).toEqual(['proxy', 'fetch-certs']);
    pod.addDependency(proxy.container, init.steps[0], DependencyCondition.COMPLETED);
    expect(initNames(chart)).toEqual(['fetch-certs', 'proxy']);
  });

  test('only what a dependency needs moves: unrelated steps keep their declared order', () => {
    const { chart, workload, pod } = job(KubernetesVersion.V1_29);
    const steps = new InitSteps(chart, 'Db', { workload, handOff: false, steps: [{ name: 'migrate', command: ['true'] }, { name: 'seed', command: ['true'] }] });
    const proxy = new Ambassador(chart, 'Proxy', { workload, upstreams: [{ name: 'db', host: 'db', port: 5432 }] });
    pod.addDependency(steps.steps[0], proxy.container);
    expect(initNames(chart)).toEqual(['proxy', 'migrate', 'seed']);
  });

  test('without declarations, declaration order stays', () => {
    const { chart, workload } = job(KubernetesVersion.V1_29);
    new Sidecar(chart, 'A', { workload, command: KEEP_RUNNING });
    new Sidecar(chart, 'B', { workload, command: KEEP_RUNNING });
    expect(initNames(chart)).toEqual(['a', 'b']);
  });

  test('a helper depending on another being ready comes after it, gated by its startup probe', () => {
    const { chart, workload, pod } = job(KubernetesVersion.V1_29);
    const agent = new Sidecar(chart, 'Agent', { workload, command: KEEP_RUNNING });
    const proxy = new Ambassador(chart, 'Proxy', { workload, upstreams: [{ name: 'db', host: 'db', port: 5432 }] });
    pod.addDependency(agent.container, proxy.container, DependencyCondition.READY);
    pod.addDependency(workload.containers[0], proxy.container);
    const spec = specOf(chart);
    expect(spec.initContainers.map((c: Manifest) => c.name)).toEqual(['proxy', 'agent']);
    expect(containerOf(spec, 'proxy').startupProbe).toBeDefined();
  });

  test('fails when "ready" is asked of a classic helper, naming both containers and the fix', () => {
    const chart = new Chart(Testing.app(), 'test');
    const web = new kplus.Deployment(chart, 'Web', { containers: [{ name: 'app', image: 'busybox:1.36', resources: EXAMPLE_APP_RESOURCES }] });
    const proxy = new Ambassador(chart, 'Proxy', { workload: web, upstreams: [{ name: 'db', host: 'db', port: 5432 }] });
    PodComposition.of(web).addDependency(web.containers[0], proxy.container);
    expect(() => Testing.synth(chart)).toThrow(
      "container 'app': depends on 'proxy' being ready, but 'proxy' is an app container (classic mode), and app containers start together with no order. Make it a native sidecar",
    );
  });

  test('fails when "ready" is asked of a native sidecar with no startup probe', () => {
    const { chart, workload, pod } = job(KubernetesVersion.V1_29);
    const agent = new Sidecar(chart, 'Agent', { workload, command: KEEP_RUNNING });
    pod.addDependency(workload.containers[0], agent.container, DependencyCondition.READY);
    expect(() => Testing.synth(chart)).toThrow("but 'agent' has no startup probe to tell when it is ready. Give it a port (a tcp probe is generated) or a startup probe.");
  });

  test('fails when "completed" is asked of a helper that never completes', () => {
    const { chart, workload, pod } = job(KubernetesVersion.V1_29);
    const agent = new Sidecar(chart, 'Agent', { workload, command: KEEP_RUNNING });
    pod.addDependency(workload.containers[0], agent.container, DependencyCondition.COMPLETED);
    expect(() => Testing.synth(chart)).toThrow("container 'app': depends on 'agent' being completed, but 'agent' is a native sidecar, which never completes");
  });

  test('fails when dependencies form a cycle', () => {
    const { chart, workload, pod } = job(KubernetesVersion.V1_29);
    const a = new Ambassador(chart, 'A', { workload, upstreams: [{ name: 'a', host: 'a', port: 1 }] });
    const b = new Ambassador(chart, 'B', { workload, firstPort: 9100, upstreams: [{ name: 'b', host: 'b', port: 1 }] });
    pod.addDependency(a.container, b.container);
    pod.addDependency(b.container, a.container);
    expect(() => Testing.synth(chart)).toThrow("containers 'a' → 'b' → 'a' depend on each other in a cycle, so none can start. Remove one of these dependencies.");
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

describe('targets 1.27 to 1.35', () => {
  test('each feature has its first version, stages and source written down', () => {
    expect(FEATURE_HISTORY.map((f) => [f.feature, f.firstMinor])).toEqual([
      [KubernetesFeature.NATIVE_SIDECARS, 29],
      [KubernetesFeature.PRESTOP_SLEEP, 30],
      [KubernetesFeature.POD_LEVEL_RESOURCES, 34],
      [KubernetesFeature.CONTAINER_RESTART_RULES, 35],
    ]);
    for (const f of FEATURE_HISTORY) expect(f.source).toMatch(/^KEP-\d+/);
    expect(KubernetesVersion.parse('1.35').supports(KubernetesFeature.POD_LEVEL_RESOURCES)).toBe(true);
  });

  test('fails when a version is outside 1.27 to 1.35', () => {
    expect(() => KubernetesVersion.parse('1.26')).toThrow("Kubernetes version '1.26' is outside the targets this library knows, 1.27 to 1.35. Pick one of those.");
    expect(() => KubernetesVersion.parse('1.36')).toThrow('outside the targets');
  });

  test('fails when a feature is used below its first version, naming that version', () => {
    const { chart, pod } = job(KubernetesVersion.V1_33);
    pod.usePodLevelResources({ requests: { cpuMillis: 100, memoryMebibytes: 64 }, limits: { cpuMillis: 500, memoryMebibytes: 256 } });
    expect(() => Testing.synth(chart)).toThrow(
      "usePodLevelResources needs pod-level resources, first on by default in Kubernetes 1.34, but the chart targets 1.33. Call KubernetesTarget.set(chart, KubernetesVersion.parse('1.34'))",
    );
  });
});

describe('pod-level resources', () => {
  test('render as spec.resources on 1.34, valid by the 1.29 schema plus the hand check, and show in the runbook', () => {
    const { chart, workload, pod } = job(KubernetesVersion.V1_34);
    new Sidecar(chart, 'Shipper', { workload, command: KEEP_RUNNING });
    pod.usePodLevelResources({ requests: { cpuMillis: 200, memoryMebibytes: 128 }, limits: { cpuMillis: 500, memoryMebibytes: 256 } });
    const manifests = Testing.synth(chart);
    expect(podSpecOf(manifests[0]).resources).toEqual({ limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '200m', memory: '128Mi' } });
    expect(validateForTarget(manifests, 34)).toEqual([]);
    expect(Runbook.render(pod)).toContain("Pod-level resources (`spec.resources`, the pod's own cgroup the containers share): requests 200m / 128Mi, limits 500m / 256Mi.");
  });

  test('fails when the aggregated container requests exceed the pod-level request (KEP-2837)', () => {
    const { chart, workload, pod } = job(KubernetesVersion.V1_34);
    new Sidecar(chart, 'Shipper', { workload, command: KEEP_RUNNING });
    pod.usePodLevelResources({ requests: { cpuMillis: 80, memoryMebibytes: 128 }, limits: { cpuMillis: 500, memoryMebibytes: 256 } });
    expect(() => Testing.synth(chart)).toThrow("the containers' aggregated cpu requests 100m are above the pod-level request 80m (KEP-2837).");
  });

  test('fails when a container limit is above the pod-level limit (KEP-2837)', () => {
    const { chart, pod } = job(KubernetesVersion.V1_35);
    pod.usePodLevelResources({ requests: { cpuMillis: 100, memoryMebibytes: 64 }, limits: { cpuMillis: 80, memoryMebibytes: 256 } });
    expect(() => Testing.synth(chart)).toThrow("container 'app': has a cpu limit 100m above the pod-level limit 80m (KEP-2837).");
  });
});

describe('the runbook draws the lifecycle', () => {
  test('a Mermaid flowchart of start order, readiness gates and stop order', () => {
    const { chart, workload, pod } = job(KubernetesVersion.V1_33);
    new InitSteps(chart, 'Init', { workload, handOff: false, steps: [{ name: 'setup', command: ['true'] }] });
    new Ambassador(chart, 'Proxy', { workload, upstreams: [{ name: 'db', host: 'db', port: 5432 }], drainTime: Duration.seconds(3) });
    const text = Runbook.render(pod);
    expect(text).toContain('```mermaid\nflowchart LR\n  i0["setup<br/>init step: runs to completion"]\n' +
      '  i0 --> i1["proxy<br/>native sidecar: next starts when its startupProbe passes, drains 3 s"]\n' +
      '  i1 --> app["app containers start together:<br/>app"]\n' +
      '  app -- "on stop: SIGTERM after each preStop" --> stopped["app containers stopped"]\n' +
      '  stopped --> s0["proxy<br/>native sidecar stops after the app, in reverse order, drains 3 s"]\n```');
  });
});
