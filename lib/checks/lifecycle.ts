import { KubernetesFeature, KubernetesVersion, missingFeature } from '../kubernetes/kubernetes-target';
import { containerNames, containersOf, isNativeSidecar, named, PodSpecJson, preStopSeconds } from '../kubernetes/manifest';
import { ContainerDependency, DependencyCondition, findCycle } from '../pod/container-dependencies';
import type { FeatureUse } from '../pod/feature-uses';
import { modeUnder, PatternContainer, SidecarMode } from '../pod/pattern-containers';
import { Problem, RuleDefinition, RuleLevel } from './rule';

/** Rules on how the pod starts and stops: helper modes, dependencies, drains, features of the target. */
export const LIFECYCLE_RULES: readonly RuleDefinition[] = [
  {
    rule: 'sidecar-mode',
    level: RuleLevel.ERROR,
    failsWhen: 'a classic helper is attached to a Job, which would never complete',
    exampleInput: "`new Sidecar(chart, 'Shipper', { workload: job, command })` in a chart targeting 1.27",
    exampleMessage: "[chart/Web] container 'shipper' (added by chart/Shipper): a classic sidecar in Job chart/Web keeps the pod running after the app finishes, so it never completes. Use native mode: KubernetesTarget.set(chart, KubernetesVersion.V1_29) on its chart (or mode: SidecarMode.NATIVE).",
  },
  {
    rule: 'dependency',
    level: RuleLevel.ERROR,
    failsWhen: 'a declared dependency cannot be guaranteed',
    exampleInput: '`PodComposition.of(workload).addDependency(app, proxy.container)` with a classic ambassador',
    exampleMessage: "[chart/Web] container 'app': depends on 'proxy' being ready, but 'proxy' is an app container (classic mode), and app containers start together with no order. Make it a native sidecar (KubernetesTarget 1.29+, or mode: SidecarMode.NATIVE).",
  },
  {
    rule: 'grace-period',
    level: RuleLevel.ERROR,
    failsWhen: "the grace period does not cover the app's preStop plus the longest drain",
    exampleInput: "`terminationGracePeriod: Duration.seconds(10)`, the app's preStop `sleep 4`, a sidecar with `drainTime: Duration.seconds(8)`",
    exampleMessage: "[chart/Web] terminationGracePeriodSeconds is 10, but the app's preStop takes 4 s and 'shipper' drains for 8 s: 4 + 8 = 12 s, so the kubelet would kill it mid-drain. Set terminationGracePeriod on the workload to at least 12 s, or shorten drainTime.",
  },
  {
    rule: 'target-feature',
    level: RuleLevel.ERROR,
    failsWhen: 'a feature is used on a target without it',
    exampleInput: '`PodComposition.of(workload).usePodLevelResources(...)` in a chart targeting 1.27',
    exampleMessage: "[chart/Web] usePodLevelResources needs pod-level resources, first on by default in Kubernetes 1.34, but the chart targets 1.27. Call KubernetesTarget.set(chart, KubernetesVersion.parse('1.34')) if your clusters run 1.34 or later, or do without it.",
  },
];

/** Kinds whose pods are meant to finish: a classic sidecar would keep them running forever. */
const RUN_TO_COMPLETION_KINDS = ['Job', 'CronJob'];

/** Helpers whose mode the target or the pod's restart policy cannot run. */
export function modeProblems(workloadPath: string, patternContainers: readonly PatternContainer[], target: KubernetesVersion, kind: string, spec: PodSpecJson): Problem[] {
  const found: Problem[] = [];
  const finishes = RUN_TO_COMPLETION_KINDS.includes(kind) || (spec.restartPolicy !== undefined && spec.restartPolicy !== 'Always');
  for (const added of patternContainers) {
    const mode = modeUnder(added, target);
    if (mode === SidecarMode.NATIVE && !target.supportsNativeSidecars) {
      found.push({
        rule: 'sidecar-mode',
        container: added.container.name,
        field: 'mode',
        value: mode,
        message: `native mode needs Kubernetes 1.29, but workload ${workloadPath} targets ${target}, whose API server drops restartPolicy on init containers (the pod would stay in Init)`,
        fix: 'Call KubernetesTarget.set(chart, KubernetesVersion.V1_29) on its chart, or use mode: SidecarMode.CLASSIC.',
      });
    } else if (mode === SidecarMode.CLASSIC && finishes) {
      const why = RUN_TO_COMPLETION_KINDS.includes(kind) ? `${kind} ${workloadPath}` : `a pod with restartPolicy ${spec.restartPolicy}`;
      found.push({
        rule: 'sidecar-mode',
        container: added.container.name,
        field: 'mode',
        value: mode,
        message: `a classic ${added.role} in ${why} keeps the pod running after the app finishes, so it never completes`,
        fix: 'Use native mode: KubernetesTarget.set(chart, KubernetesVersion.V1_29) on its chart (or mode: SidecarMode.NATIVE).',
      });
    }
  }
  return found;
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

/** Pod-level resources on a target that lacks them. */
/** A feature a declaration renders on a target without it: each use once. */
export function featureUseProblems(target: KubernetesVersion, uses: readonly FeatureUse[]): Problem[] {
  return uses.filter((use) => !target.supports(use.feature)).map((use) => ({ rule: 'target-feature', field: use.field, ...missingFeature(target, use.feature, use.what) }));
}

export function podLevelFeatureProblems(target: KubernetesVersion): Problem[] {
  if (target.supports(KubernetesFeature.POD_LEVEL_RESOURCES)) return [];
  return [{ rule: 'target-feature', field: 'spec.resources', ...missingFeature(target, KubernetesFeature.POD_LEVEL_RESOURCES, 'usePodLevelResources') }];
}
