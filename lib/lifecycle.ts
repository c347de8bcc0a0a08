import { ContainerJson, containersOf, isNativeSidecar, named, PodSpecJson } from './manifest';
import type { Problem } from './rules';

/** What a container waits for in another before it starts (the aws-ecs container dependency conditions). */
export enum DependencyCondition {
  /** The other container has been started. */
  STARTED = 'started',
  /** The other container's startup probe passed: only a native sidecar with a startup probe. */
  READY = 'ready',
  /** The other container ran to completion with exit 0: only a run-to-completion init step. */
  COMPLETED = 'completed',
}

/** One declared dependency, by container name. */
export interface ContainerDependency {
  readonly dependent: string;
  readonly dependency: string;
  readonly condition: DependencyCondition;
}

/** Where a container runs in the pod, which decides what can be guaranteed about it. */
type Placement = 'init step' | 'native sidecar' | 'app container';

function placementOf(spec: PodSpecJson, name: string): Placement | undefined {
  const init = named(spec.initContainers, name);
  if (init) return isNativeSidecar(init) ? 'native sidecar' : 'init step';
  return named(spec.containers, name) ? 'app container' : undefined;
}

/**
 * Problems with declared dependencies on the rendered pod: ones the kubelet cannot guarantee, and
 * cycles. Each names both containers and the fix.
 */
export function dependencyProblems(spec: PodSpecJson, dependencies: readonly ContainerDependency[]): Problem[] {
  if (dependencies.length === 0) return [];
  const problems: Problem[] = [];
  const problem = (d: ContainerDependency, why: string, fix: string): Problem => ({
    rule: 'dependency',
    container: d.dependent,
    field: 'dependencies',
    value: `${d.dependency} ${d.condition}`,
    message: `depends on '${d.dependency}' being ${d.condition}, but ${why}`,
    fix,
  });
  for (const d of dependencies) {
    const on = placementOf(spec, d.dependency);
    const self = placementOf(spec, d.dependent);
    if (!on || !self) {
      problems.push(problem(d, `the pod has no container '${on ? d.dependent : d.dependency}' (its containers: ${containerNames(containersOf(spec))})`, 'Declare dependencies between containers of the same pod.'));
    } else if (d.condition === DependencyCondition.COMPLETED && on !== 'init step') {
      problems.push(problem(d, `'${d.dependency}' is a ${on}, which never completes before others start`, 'Make it an init step (InitSteps), or depend on it being started or ready.'));
    } else if (on === 'app container') {
      problems.push(
        problem(d, `'${d.dependency}' is an app container (classic mode), and app containers start together with no order`, 'Make it a native sidecar (KubernetesTarget 1.29+, or mode: SidecarMode.NATIVE).'),
      );
    } else if (d.condition === DependencyCondition.READY && on === 'native sidecar' && named(spec.initContainers, d.dependency)?.startupProbe === undefined) {
      problems.push(problem(d, `'${d.dependency}' has no startup probe to tell when it is ready`, 'Give it a port (a tcp probe is generated) or a startup probe.'));
    } else if (d.condition === DependencyCondition.READY && on === 'init step') {
      problems.push(problem(d, `'${d.dependency}' is an init step, which has no readiness`, 'Depend on it being completed.'));
    }
  }
  const cycle = findCycle(dependencies);
  if (cycle) {
    problems.push({
      rule: 'dependency',
      field: 'dependencies',
      value: cycle.join(' → '),
      message: `containers ${cycle.map((c) => `'${c}'`).join(' → ')} depend on each other in a cycle, so none can start`,
      fix: 'Remove one of these dependencies.',
    });
  }
  return problems;
}

function findCycle(dependencies: readonly ContainerDependency[]): string[] | undefined {
  const visiting: string[] = [];
  const done: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const at = visiting.indexOf(name);
    if (at >= 0) return [...visiting.slice(at), name];
    if (done.includes(name)) return undefined;
    visiting.push(name);
    for (const d of dependencies.filter((x) => x.dependent === name)) {
      const cycle = visit(d.dependency);
      if (cycle) return cycle;
    }
    visiting.pop();
    done.push(name);
    return undefined;
  };
  for (const { dependent } of dependencies) {
    const cycle = visit(dependent);
    if (cycle) return cycle;
  }
  return undefined;
}

/** The names of a pod's containers, quoted, for a message about a name that is not one of them. */
export function containerNames(containers: readonly ContainerJson[]): string {
  return containers.map((c) => `'${c.name}'`).join(', ');
}

/**
 * Orders the init containers so that each comes after the ones it depends on, moving only what a
 * dependency needs: in declared order, each container is placed right after the containers it
 * depends on (placed first, recursively), so unrelated steps keep their declared order. App
 * containers need no moving: every init container is done (or started and ready, if native) before
 * they start. A cycle leaves the order as it is (dependencyProblems reports it).
 */
export function orderInitContainers(spec: PodSpecJson, dependencies: readonly ContainerDependency[]): void {
  const initContainers = spec.initContainers ?? [];
  if (dependencies.length === 0 || initContainers.length < 2 || findCycle(dependencies)) return;
  const ordered: ContainerJson[] = [];
  const place = (container: ContainerJson): void => {
    if (ordered.includes(container)) return;
    for (const d of dependencies.filter((x) => x.dependent === container.name)) {
      const dependency = named(initContainers, d.dependency);
      if (dependency) place(dependency);
    }
    ordered.push(container);
  };
  initContainers.forEach(place);
  spec.initContainers = ordered;
}

/**
 * Makes a helper wait `seconds` before it gets SIGTERM, so it can flush or finish connections:
 * the preStop sleep action where the target has it, else `sleep` run in the container.
 */
export function renderDrain(container: ContainerJson, seconds: number, sleepAction: boolean): void {
  container.lifecycle = {
    ...(container.lifecycle as Record<string, unknown> | undefined),
    preStop: sleepAction ? { sleep: { seconds } } : { exec: { command: ['sleep', String(seconds)] } },
  };
}

/** How long a container's preStop hook takes, when it is a sleep (action or `sleep N` command); else 0. */
export function preStopSeconds(container: ContainerJson): number {
  const preStop = (container.lifecycle as { preStop?: { sleep?: { seconds?: number }; exec?: { command?: string[] } } } | undefined)?.preStop;
  if (preStop?.sleep?.seconds !== undefined) return preStop.sleep.seconds;
  const command = preStop?.exec?.command ?? [];
  const seconds = command[0] === 'sleep' ? Number(command[1]) : NaN;
  return Number.isFinite(seconds) ? seconds : 0;
}

/**
 * The pod's grace period must cover the app's preStop and then the longest helper drain: app
 * containers and classic helpers get SIGTERM together, native sidecars only after the app stopped.
 */
export function gracePeriodProblems(spec: PodSpecJson & { terminationGracePeriodSeconds?: number }, drains: readonly { name: string; seconds: number }[]): Problem[] {
  if (drains.length === 0) return [];
  const grace = spec.terminationGracePeriodSeconds ?? 30;
  const appPreStop = Math.max(0, ...spec.containers.filter((c) => !drains.some((d) => d.name === c.name)).map(preStopSeconds));
  const longest = drains.reduce((a, b) => (b.seconds > a.seconds ? b : a));
  const needed = appPreStop + longest.seconds;
  if (needed <= grace) return [];
  return [
    {
      rule: 'grace-period',
      field: 'terminationGracePeriodSeconds',
      value: String(grace),
      message:
        `terminationGracePeriodSeconds is ${grace}, but the app's preStop takes ${appPreStop} s and '${longest.name}' drains for ${longest.seconds} s: ` +
        `${appPreStop} + ${longest.seconds} = ${needed} s, so the kubelet would kill it mid-drain`,
      fix: `Set terminationGracePeriod on the workload to at least ${needed} s, or shorten drainTime.`,
    },
  ];
}
