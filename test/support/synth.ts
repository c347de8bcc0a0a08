import { App, Chart, Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { KubernetesTarget, KubernetesVersion } from '../../lib';
import { podTemplateOf, WorkloadJson } from '../../lib/kubernetes/manifest';
import { validateForTarget } from './kubernetes-schema';
import { EXAMPLE_APP_RESOURCES } from '../../lib/examples/example-workload';
import { RestrictedSecurity } from '../../lib/patterns/restricted-security';

/** A Kubernetes object as synthesized. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = Record<string, any>;

/** The pod template of a workload manifest (the Pod itself for a Pod): the library's own helper. */
export function podTemplateOfManifest(manifest: Manifest): Manifest {
  return podTemplateOf(manifest as WorkloadJson);
}

/** The pod spec of a workload manifest, wherever its kind keeps it. */
export function podSpecOf(manifest: Manifest): Manifest {
  return podTemplateOfManifest(manifest).spec;
}

/** The manifest of the only object of `kind` in `manifests`. */
export function onlyOf(manifests: Manifest[], kind: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0];
}

/** An example chart synthesized in an app of its own: its manifests and the pod spec of its one Deployment. */
export function synthExample(example: new (scope: Construct, id: string) => Chart, id: string): { manifests: Manifest[]; podSpec: Manifest } {
  const manifests = Testing.synth(new example(Testing.app(), id));
  return { manifests, podSpec: podSpecOf(onlyOf(manifests, 'Deployment')) };
}

/** The named container, looked up in init and app containers. */
export function containerOf(podSpec: Manifest, name: string): Manifest {
  const all = [...(podSpec.initContainers ?? []), ...podSpec.containers];
  const found = all.find((c: Manifest) => c.name === name);
  if (!found) throw new Error(`no container ${name} in ${all.map((c: Manifest) => c.name).join(', ')}`);
  return found;
}

/** Every workload kind a pattern must attach to, each in a chart of its own with an app container. */
export function workloadsInAnotherChart(app: App = Testing.app()): { chart: Chart; workload: kplus.AbstractPod }[] {
  const appContainer = {
    name: 'app',
    image: 'busybox:1.36',
    command: ['sh', '-c', 'sleep 3600'],
    // A port lets the StatefulSet create its headless Service.
    ports: [{ number: 8080 }],
    resources: EXAMPLE_APP_RESOURCES,
    securityContext: RestrictedSecurity.container(),
  };
  const podProps = { securityContext: RestrictedSecurity.POD, containers: [appContainer] };
  const kinds: [string, (chart: Chart) => kplus.AbstractPod][] = [
    ['deployment', (chart) => new kplus.Deployment(chart, 'Workload', podProps)],
    ['stateful-set', (chart) => new kplus.StatefulSet(chart, 'Workload', podProps)],
    ['daemon-set', (chart) => new kplus.DaemonSet(chart, 'Workload', podProps)],
    ['job', (chart) => new kplus.Job(chart, 'Workload', podProps)],
    ['cron-job', (chart) => new kplus.CronJob(chart, 'Workload', { ...podProps, schedule: Cron.daily() })],
    ['pod', (chart) => new kplus.Pod(chart, 'Workload', podProps)],
  ];
  return kinds.map(([id, create]) => {
    const chart = new Chart(app, id);
    // A Job's sidecars must be native to let it complete: its charts target a version that has them.
    if (id.endsWith('job')) KubernetesTarget.set(chart, KubernetesVersion.V1_29);
    return { chart, workload: create(chart) };
  });
}

/** The workload manifest of a chart built by workloadsInAnotherChart. */
export function workloadManifest(chart: Chart): Manifest {
  const manifests = Testing.synth(chart);
  const found = manifests.find((m) => ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'].includes(m.kind));
  if (!found) throw new Error(`no workload in chart ${chart.node.id}`);
  return found;
}

/** The pod spec of the one workload in `chart`, as synthesized. */
export function specOf(chart: Chart): Manifest {
  return podSpecOf(workloadManifest(chart));
}

/**
 * Attaches a pattern, declared in a chart of its own, to every workload kind living in another
 * chart, and hands each rendered pod spec to `check`.
 */
export function expectAttachesToEveryWorkloadKind(
  attach: (scope: Chart, workload: kplus.AbstractPod) => void,
  check: (podSpec: Manifest, kind: string) => void,
): void {
  const app = Testing.app();
  const targets = workloadsInAnotherChart(app);
  const patterns = new Chart(app, 'patterns');
  targets.forEach(({ workload }, index) => attach(new Chart(patterns, `for-${index}`), workload));
  for (const { chart } of targets) {
    const manifest = workloadManifest(chart);
    expect(validateForTarget(Testing.synth(chart), KubernetesTarget.of(chart).minor)).toEqual([]);
    check(podSpecOf(manifest), manifest.kind);
  }
}

/** Names of the containers that run beside each other: native sidecars, then app containers. */
export function runningContainerNames(podSpec: Manifest): string[] {
  const nativeSidecars = (podSpec.initContainers ?? []).filter((c: Manifest) => c.restartPolicy === 'Always');
  return [...nativeSidecars, ...podSpec.containers].map((c: Manifest) => c.name);
}

/** A command that keeps a busybox helper running, for tests that need a Sidecar but not its work. */
export const KEEP_RUNNING = ['sh', '-c', 'sleep 3600'];
