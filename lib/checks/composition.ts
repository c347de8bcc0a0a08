import { IConstruct } from 'constructs';
import { KubernetesTarget } from '../kubernetes/kubernetes-target';
import { containersOf, podTemplateOf, WorkloadJson } from '../kubernetes/manifest';
import type { PodComposition } from '../pod/pod-composition';
import { defaultContainerProblems, overwrittenEnvProblems } from './containers';
import { dependencyProblems, gracePeriodProblems, modeProblems, podLevelFeatureProblems } from './lifecycle';
import { duplicateObjectProblems } from './objects';
import { defaultResourcesProblems, podLevelResourceProblems } from './resources';
import { formatProblem, Problem, Rule, RuleId, RuleLevel } from './rule';
import { RulePolicy } from './rule-policy';
import { containerHardeningProblems } from './security';
import { workloadProblems } from './workload';

/**
 * Every rule on a workload with patterns, on `manifest` as its composition rendered it: the rules on
 * the manifest alone, and those that need what the patterns declared (modes, dependencies, drains,
 * pod-level resources, env, who added each container). Returns the errors as messages; prints each
 * warning once.
 */
export function checkComposition(composition: PodComposition, manifest: WorkloadJson): string[] {
  const template = podTemplateOf(manifest);
  const spec = template.spec;
  const containers = containersOf(spec);
  const patternContainers = composition._containers.all;
  const target = KubernetesTarget.of(composition.workload);
  const found = workloadProblems(manifest, composition._settings.budget);
  found.push(...modeProblems(composition.workload.node.path, patternContainers, target, manifest.kind, spec));
  found.push(...dependencyProblems(spec, composition._dependencies.byName));
  const drains = patternContainers.flatMap(({ container, drainSeconds }) => (drainSeconds === undefined ? [] : [{ name: container.name, seconds: drainSeconds }]));
  found.push(...gracePeriodProblems(spec, drains));
  const podLevel = composition._settings.podLevelResources;
  if (podLevel) {
    const missing = podLevelFeatureProblems(target);
    found.push(...(missing.length > 0 ? missing : podLevelResourceProblems(spec, podLevel)));
  }
  found.push(...overwrittenEnvProblems(composition._env.all, containers));
  found.push(...defaultResourcesProblems(patternContainers));
  found.push(...containerHardeningProblems(spec, containers, (name) => composition._containers.find(name) !== undefined));
  found.push(...defaultContainerProblems(template, containers));
  return found.length === 0 ? [] : report(composition, found);
}

/** Problems sorted by level; those whose rule is off are left out. */
export interface CheckResult {
  readonly errors: Problem[];
  readonly warnings: Problem[];
}

/** Problems sorted by the level their rule has for their container; those whose rule is off are left out. */
export function byLevel(problems: readonly Problem[], levelOf: (rule: RuleId, container?: string) => RuleLevel): CheckResult {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  for (const problem of problems) {
    const level = levelOf(problem.rule, problem.container);
    if (level === RuleLevel.ERROR) errors.push(problem);
    else if (level === RuleLevel.WARNING) warnings.push(problem);
  }
  return { errors, warnings };
}

/** Warnings already printed, per composition or app, so each shows once however often it is checked. */
const PRINTED_WARNINGS = new WeakMap<object, Set<string>>();

/** Prints `message` unless it was printed for `owner` before. */
function warnOnce(owner: object, message: string): void {
  let printed = PRINTED_WARNINGS.get(owner);
  if (printed?.has(message)) return;
  console.warn(message);
  if (!printed) PRINTED_WARNINGS.set(owner, (printed = new Set()));
  printed.add(message);
}

/** Prints the warnings among `found` (each once); returns the errors as messages naming the pattern that added the container. */
function report(composition: PodComposition, found: readonly Problem[]): string[] {
  const workload = composition.workload;
  const describe = (problem: Problem) => formatProblem(problem, problem.container === undefined ? undefined : composition._containers.find(problem.container)?.addedBy);
  const { errors, warnings } = byLevel(found, (rule, container) => RulePolicy.levelOf(workload, rule as Rule, container));
  for (const warning of warnings) warnOnce(composition, `Warning: [${workload.node.path}] ${describe(warning)}`);
  return errors.map(describe);
}

/** Roots that already have the duplicate-object validation, so each app gets it once. */
const ROOTS_CHECKED_FOR_DUPLICATES = new WeakSet<IConstruct>();

/**
 * Adds, once per app, a validation that no two objects of the app share kind, namespace and name:
 * applied together, the second would replace the first. cdk8s runs it in each whole-app pass, one per chart.
 */
export function addDuplicateObjectValidation(scope: IConstruct): void {
  const root = scope.node.root;
  if (ROOTS_CHECKED_FOR_DUPLICATES.has(root)) return;
  ROOTS_CHECKED_FOR_DUPLICATES.add(root);
  root.node.addValidation({
    validate: () => {
      const errors: string[] = [];
      for (const { problem, object } of duplicateObjectProblems(root)) {
        const level = RulePolicy.levelOf(object, problem.rule as Rule);
        const text = formatProblem(problem);
        if (level === RuleLevel.ERROR) errors.push(text);
        if (level === RuleLevel.WARNING) warnOnce(root, `Warning: ${text}`);
      }
      return errors;
    },
  });
}
