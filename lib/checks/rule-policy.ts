import { ApiObject } from 'cdk8s';
import { heldOn, holdOn } from '../kubernetes/held-state';
import { containersOf, PodTemplateJson, podTemplateOf, WorkloadJson } from '../kubernetes/manifest';
import { IConstruct } from 'constructs';
import { CONTAINERS_RULES } from './containers';
import { LIFECYCLE_RULES } from './lifecycle';
import { OBJECTS_RULES } from './objects';
import { PORTS_RULES } from './ports';
import { RESOURCES_RULES } from './resources';
import { Rule, RuleDefinition, RuleId, RuleLevel } from './rule';
import { SECURITY_RULES } from './security';
import { STORAGE_RULES } from './storage';

/** Every rule: its id, default level and documented example, by area. */
export const RULE_DEFINITIONS: readonly RuleDefinition[] = [
  ...OBJECTS_RULES,
  ...CONTAINERS_RULES,
  ...RESOURCES_RULES,
  ...STORAGE_RULES,
  ...PORTS_RULES,
  ...SECURITY_RULES,
  ...LIFECYCLE_RULES,
];

/** Every rule's level unless a RulePolicy says otherwise. */
export const DEFAULT_RULE_LEVELS: Readonly<Record<RuleId, RuleLevel>> = Object.fromEntries(RULE_DEFINITIONS.map(({ rule, level }) => [rule, level])) as Record<RuleId, RuleLevel>;

/** Every rule id, in the order of the rules table in docs/rules.md. */
export const RULE_IDS: readonly RuleId[] = Object.values(Rule);

/** How a rule's level is set on a scope. */
export interface RulePolicyOptions {
  /** Why the rule is relaxed or tightened here, for whoever reviews the chart; required. */
  readonly reason: string;
  /**
   * Only for the container of this name (in the workload the scope is or holds).
   * @default - every container
   */
  readonly container?: string;
}

/** One setting of a rule on one scope. */
interface RuleSetting {
  readonly level: RuleLevel;
  readonly reason: string;
}

/** Settings of one scope, keyed by rule id, or by rule id and container name (see settingKey). */
type ScopeSettings = Record<string, RuleSetting>;

/** Policies live on the constructs they are set on, so a scope's settings go when it does. */
const SETTINGS_ID = 'patterns.RulePolicy';

const LEVELS: readonly string[] = Object.values(RuleLevel);

/**
 * Levels of rules per app, chart, workload or container, each with a reason. The nearest scope
 * wins: a container-specific setting on the workload, then the workload's own, then its charts'
 * (innermost first), then the app's; at each scope a container-specific setting beats a general one.
 *
 * @example
 * // Many operators run without cpu limits (throttling hurts more than it protects).
 * RulePolicy.set(app, Rule.CPU_LIMIT, RuleLevel.OFF, { reason: 'many operators run without cpu limits' });
 */
export class RulePolicy {
  /** Sets `rule` to `level` on `scope` (and the constructs under it), replacing an earlier setting of that rule there. */
  public static set(scope: IConstruct, rule: Rule, level: RuleLevel, options: RulePolicyOptions): void {
    const where = `RulePolicy.set on ${scope.node.path || 'the app'}`;
    assertKnownRule(where, rule);
    if (!LEVELS.includes(level)) {
      throw new Error(`${where}: unknown level '${level}' for rule '${rule}'. Use RuleLevel.ERROR, RuleLevel.WARNING or RuleLevel.OFF.`);
    }
    const reason = typeof options?.reason === 'string' ? options.reason.trim() : '';
    if (reason === '') {
      throw new Error(
        `${where}: rule '${rule}' is set without a reason. Give { reason: '...' } saying why, e.g. 'many operators run without cpu limits'.`,
      );
    }
    if (options?.container !== undefined && (typeof options.container !== 'string' || options.container === '')) {
      throw new Error(`${where}: container for rule '${rule}' is empty. Give a container name, or leave container out for every container.`);
    }
    const settings = holdOn(scope, SETTINGS_ID, () => {
      scope.node.addValidation({ validate: () => unknownContainerProblems(scope) });
      return Object.create(null) as ScopeSettings;
    });
    settings[settingKey(rule, options.container)] = { level, reason };
  }

  /** The level of `rule` for `container` (or the whole pod) of the workload at `scope`. */
  public static levelOf(scope: IConstruct, rule: Rule, container?: string): RuleLevel {
    assertKnownRule(`RulePolicy.levelOf on ${scope.node.path || 'the app'}`, rule);
    return RulePolicy.settingOf(scope, rule, container)?.level ?? DEFAULT_RULE_LEVELS[rule];
  }

  /** Why `rule` has its level at `scope`, or undefined when it has its default level. */
  public static reasonOf(scope: IConstruct, rule: Rule, container?: string): string | undefined {
    return RulePolicy.settingOf(scope, rule, container)?.reason;
  }

  private static settingOf(scope: IConstruct, rule: Rule, container?: string): RuleSetting | undefined {
    for (let current: IConstruct | undefined = scope; current; current = current.node.scope) {
      const settings = heldOn<ScopeSettings>(current, SETTINGS_ID);
      if (!settings) continue;
      const found = (container !== undefined ? settings[settingKey(rule, container)] : undefined) ?? settings[rule];
      if (found) return found;
    }
    return undefined;
  }
}

/**
 * Container-specific settings on `scope` that name no container of the workloads under it: a typo
 * there would leave the rule at its level silently. Checked at synth, once every container exists.
 */
function unknownContainerProblems(scope: IConstruct): string[] {
  const names: string[] = [];
  for (const construct of scope.node.findAll()) {
    if (!ApiObject.isApiObject(construct)) continue;
    // Whatever renders the object (cdk8s-plus, Include, Helm), its manifest names its containers.
    const template = podTemplateOf(construct.toJson() as WorkloadJson) as PodTemplateJson | undefined;
    const containers = Array.isArray(template?.spec?.containers) ? containersOf(template.spec) : [];
    for (const container of containers) if (!names.includes(container.name)) names.push(container.name);
  }
  const problems: string[] = [];
  for (const key of Object.keys(heldOn<ScopeSettings>(scope, SETTINGS_ID) ?? {})) {
    const [rule, container] = key.split('\u0000');
    if (container === undefined || names.includes(container)) continue;
    problems.push(
      `RulePolicy.set here sets rule '${rule}' for container '${container}', which no workload here has ` +
        `(its containers: ${names.length === 0 ? 'none' : names.map((n) => `'${n}'`).join(', ')}). Give one of those names, or leave container out for every container.`,
    );
  }
  return problems;
}

/** Rule ids come from JavaScript too, where a typo would otherwise read as "no such setting". */
function assertKnownRule(where: string, rule: string): void {
  if (!Object.prototype.hasOwnProperty.call(DEFAULT_RULE_LEVELS, rule)) {
    throw new Error(`${where}: unknown rule '${rule}'. Use one of ${RULE_IDS.join(', ')}.`);
  }
}

/** A rule id alone, or with a container name after a character neither can contain. */
function settingKey(rule: RuleId, container?: string): string {
  return container === undefined ? rule : `${rule}\u0000${container}`;
}
