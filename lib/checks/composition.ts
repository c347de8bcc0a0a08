import { IConstruct } from 'constructs';
import { holdOn } from '../kubernetes/held-state';
import { KubernetesTarget } from '../kubernetes/kubernetes-target';
import { containersOf, podTemplateOf, WorkloadJson } from '../kubernetes/manifest';
import { PodDeclarations } from '../pod/pod-declarations';
import { defaultContainerProblems, overwrittenEnvProblems } from './containers';
import { dependencyProblems, featureUseProblems, gracePeriodProblems, modeProblems, podLevelFeatureProblems } from './lifecycle';
import { duplicateObjectProblems } from './objects';
import { defaultResourcesProblems, podLevelResourceProblems } from './resources';
import { formatProblem, Problem, Rule, RuleId, RuleLevel } from './rule';
import { RulePolicy } from './rule-policy';
import { containerHardeningProblems } from './security';
import { followedLogProblems } from './storage';
import { workloadProblems } from './workload';

/**
 * Every rule on a workload with patterns, on `manifest` as its composition rendered it: the rules on
 * the manifest alone, and those that need what the patterns declared (modes, dependencies, drains,
 * pod-level resources, env, who added each container). Returns the errors as messages; prints each
 * warning once.
 */
export function checkComposition(declarations: PodDeclarations, manifest: WorkloadJson): string[] {
  const { host, containers: added, settings } = declarations;
  const template = podTemplateOf(manifest, host.templatePointer);
  const spec = template.spec;
  const containers = containersOf(spec);
  const patternContainers = added.all;
  const target = KubernetesTarget.of(host.workload);
  const found = workloadProblems(manifest, settings.budget, host.templatePointer);
  found.push(...modeProblems(host.path, patternContainers, target, manifest.kind, spec));
  found.push(...dependencyProblems(spec, declarations.dependencies.byName));
  found.push(...featureUseProblems(target, declarations.features.all));
  const drains = patternContainers.flatMap(({ container, drainSeconds }) => (drainSeconds === undefined ? [] : [{ name: container.name, seconds: drainSeconds }]));
  found.push(...gracePeriodProblems(spec, drains));
  const podLevel = settings.podLevelResources;
  if (podLevel) {
    const missing = podLevelFeatureProblems(target);
    found.push(...(missing.length > 0 ? missing : podLevelResourceProblems(spec, podLevel)));
  }
  found.push(...overwrittenEnvProblems(declarations.env.all, containers));
  found.push(...defaultResourcesProblems(patternContainers));
  found.push(...followedLogProblems(spec, containers, patternContainers));
  found.push(...containerHardeningProblems(spec, containers, (name) => added.find(name) !== undefined));
  found.push(...defaultContainerProblems(template, containers));
  return found.length === 0 ? [] : report(declarations, found);
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

/** Prints `message` unless `printed` (the warnings of one pod, or of the app) holds it already. */
function warnOnce(printed: Set<string>, message: string): void {
  if (printed.has(message)) return;
  console.warn(message);
  printed.add(message);
}

/** Prints the warnings among `found` (each once); returns the errors as messages naming the pattern that added the container. */
function report(declarations: PodDeclarations, found: readonly Problem[]): string[] {
  const workload = declarations.host.workload;
  const describe = (problem: Problem) => formatProblem(problem, problem.container === undefined ? undefined : declarations.containers.find(problem.container)?.addedBy);
  const { errors, warnings } = byLevel(found, (rule, container) => RulePolicy.levelOf(workload, rule as Rule, container));
  for (const warning of warnings) warnOnce(declarations.printedWarnings, `Warning: [${workload.node.path}] ${describe(warning)}`);
  return errors.map(describe);
}

/** The app-wide duplicate-object check lives on the app's root, with the warnings it printed. */
const DUPLICATE_CHECK_ID = 'patterns.DuplicateObjectCheck';

/**
 * Adds, once per app, a validation that no two objects of the app share kind, namespace and name:
 * applied together, the second would replace the first. cdk8s runs it in each whole-app pass, one per chart.
 */
export function addDuplicateObjectValidation(scope: IConstruct): void {
  const root = scope.node.root;
  holdOn(root, DUPLICATE_CHECK_ID, () => {
    const printed = new Set<string>();
    root.node.addValidation({
      validate: () => {
        const errors: string[] = [];
        for (const { problem, object } of duplicateObjectProblems(root)) {
          const level = RulePolicy.levelOf(object, problem.rule as Rule);
          const text = formatProblem(problem);
          if (level === RuleLevel.ERROR) errors.push(text);
          if (level === RuleLevel.WARNING) warnOnce(printed, `Warning: ${text}`);
        }
        return errors;
      },
    });
    return printed;
  });
}
