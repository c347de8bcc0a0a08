import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';

/** What synth does with a rule's problems. */
export enum RuleLevel {
  /** Synth fails, before any file is written. */
  ERROR = 'error',
  /** Printed once (console.warn); synth goes on. */
  WARNING = 'warning',
  /** Not reported. */
  OFF = 'off',
}

/** A rule checked at synth. Its value is the id that messages, the rules table (docs/rules.md) and `RulePolicy` name it by. */
export enum Rule {
  /** A workload's name is not a DNS-1123 subdomain. */
  OBJECT_NAME = 'object-name',
  /** A namespace is not a DNS-1123 label. */
  NAMESPACE = 'namespace',
  /** A label key is invalid. */
  LABEL_KEY = 'label-key',
  /** A label value is invalid. */
  LABEL_VALUE = 'label-value',
  /** An annotation key is invalid. */
  ANNOTATION_KEY = 'annotation-key',
  /** A container name is not a DNS-1123 label. */
  CONTAINER_NAME = 'container-name',
  /** Two containers share a name across init and app containers. */
  DUPLICATE_CONTAINER_NAME = 'duplicate-container-name',
  /** An image reference is malformed. */
  IMAGE_REFERENCE = 'image-reference',
  /** An image has the latest tag. */
  IMAGE_TAG = 'image-tag',
  /** An env name is invalid. */
  ENV_NAME = 'env-name',
  /** An env name is set twice in a container. */
  DUPLICATE_ENV = 'duplicate-env',
  /** A resource amount is negative. */
  RESOURCE_QUANTITY = 'resource-quantity',
  /** A cpu request is missing. */
  CPU_REQUEST = 'cpu-request',
  /** A cpu limit is missing. */
  CPU_LIMIT = 'cpu-limit',
  /** A memory request is missing. */
  MEMORY_REQUEST = 'memory-request',
  /** A memory limit is missing. */
  MEMORY_LIMIT = 'memory-limit',
  /** A request is above its limit. */
  REQUEST_ABOVE_LIMIT = 'request-above-limit',
  /** The pod's effective limits are above its budget. */
  POD_BUDGET = 'pod-budget',
  /** A container mounts a volume the pod does not have. */
  MISSING_VOLUME = 'missing-volume',
  /** Two volumes are mounted on one path in a container. */
  DUPLICATE_MOUNT_PATH = 'duplicate-mount-path',
  /** A run-to-completion init container has a lifecycle hook or probe. */
  INIT_CONTAINER_PROBE = 'init-container-probe',
  /** A container port is out of range. */
  PORT_NUMBER = 'port-number',
  /** A port has a protocol Kubernetes does not know. */
  PORT_PROTOCOL = 'port-protocol',
  /** Two containers listen on one port and protocol. */
  PORT_CONFLICT = 'port-conflict',
  /** A port name is not an IANA service name. */
  PORT_NAME = 'port-name',
  /** Two ports share a name. */
  DUPLICATE_PORT_NAME = 'duplicate-port-name',
  /** A container must not run as root but runs as uid 0. */
  RUN_AS_ROOT = 'run-as-root',
  /** A container is privileged without privilege escalation. */
  PRIVILEGED_WITHOUT_ESCALATION = 'privileged-without-escalation',
  /** A capability is named with the CAP_ prefix. */
  CAPABILITY_NAME = 'capability-name',
  /** A capability is added without dropping ALL. */
  CAPABILITY_WITHOUT_DROP_ALL = 'capability-without-drop-all',
  /** Two charts of one app define the same kind, namespace and name. */
  DUPLICATE_OBJECT = 'duplicate-object',
  /** A classic helper is attached to a Job, which would never complete. */
  SIDECAR_MODE = 'sidecar-mode',
  /** A declared dependency cannot be guaranteed. */
  DEPENDENCY = 'dependency',
  /** The grace period does not cover the app's preStop plus the longest drain. */
  GRACE_PERIOD = 'grace-period',
  /** A feature is used on a target without it. */
  TARGET_FEATURE = 'target-feature',
  /** A container limit is above the pod-level limit (KEP-2837). */
  POD_LEVEL_RESOURCES = 'pod-level-resources',
  /** A pattern container runs its own image on the pattern's busybox-sized resources. */
  DEFAULT_RESOURCES = 'default-resources',
  /** A container of yours has runAsNonRoot but no runAsUser. */
  RUN_AS_NON_ROOT_WITHOUT_USER = 'run-as-non-root-without-user',
  /** A container of yours keeps its capabilities. */
  CAPABILITIES_KEPT = 'capabilities-kept',
  /** A variable a pattern set is replaced afterwards by the container's own env. */
  ENV_OVERWRITTEN = 'env-overwritten',
  /** A name that refers to a container (the default container, a dependency, a rule policy) names none in the pod. */
  CONTAINER_REFERENCE = 'container-reference',
  /** A pattern container's securityContext turns its hardening off. */
  HARDENING_WEAKENED = 'hardening-weakened',
}

/** The id of a rule, as problems carry it. */
export type RuleId = `${Rule}`;

/**
 * Every rule's level unless a RulePolicy says otherwise: errors for what the API server or kubelet
 * would refuse (and for requests and limits, which every container should have), warnings for advice.
 */
export const DEFAULT_RULE_LEVELS: Readonly<Record<RuleId, RuleLevel>> = {
  'object-name': RuleLevel.ERROR,
  namespace: RuleLevel.ERROR,
  'label-key': RuleLevel.ERROR,
  'label-value': RuleLevel.ERROR,
  'annotation-key': RuleLevel.ERROR,
  'container-name': RuleLevel.ERROR,
  'duplicate-container-name': RuleLevel.ERROR,
  'image-reference': RuleLevel.ERROR,
  'image-tag': RuleLevel.WARNING,
  'env-name': RuleLevel.ERROR,
  'duplicate-env': RuleLevel.ERROR,
  'resource-quantity': RuleLevel.ERROR,
  'cpu-request': RuleLevel.ERROR,
  'cpu-limit': RuleLevel.ERROR,
  'memory-request': RuleLevel.ERROR,
  'memory-limit': RuleLevel.ERROR,
  'request-above-limit': RuleLevel.ERROR,
  'pod-budget': RuleLevel.ERROR,
  'missing-volume': RuleLevel.ERROR,
  'duplicate-mount-path': RuleLevel.ERROR,
  'init-container-probe': RuleLevel.ERROR,
  'port-number': RuleLevel.ERROR,
  'port-protocol': RuleLevel.ERROR,
  'port-conflict': RuleLevel.ERROR,
  'port-name': RuleLevel.ERROR,
  'duplicate-port-name': RuleLevel.ERROR,
  'run-as-root': RuleLevel.ERROR,
  'privileged-without-escalation': RuleLevel.ERROR,
  'capability-name': RuleLevel.ERROR,
  'capability-without-drop-all': RuleLevel.WARNING,
  'duplicate-object': RuleLevel.ERROR,
  'sidecar-mode': RuleLevel.ERROR,
  dependency: RuleLevel.ERROR,
  'grace-period': RuleLevel.ERROR,
  'target-feature': RuleLevel.ERROR,
  'pod-level-resources': RuleLevel.ERROR,
  'default-resources': RuleLevel.WARNING,
  'run-as-non-root-without-user': RuleLevel.WARNING,
  'capabilities-kept': RuleLevel.WARNING,
  'env-overwritten': RuleLevel.ERROR,
  'container-reference': RuleLevel.ERROR,
  'hardening-weakened': RuleLevel.WARNING,
};

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

/** Policies live beside the constructs they are set on, so a scope's settings go when it does. */
const SETTINGS = new WeakMap<IConstruct, ScopeSettings>();

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
    let settings = SETTINGS.get(scope);
    if (!settings) {
      settings = Object.create(null) as ScopeSettings;
      SETTINGS.set(scope, settings);
      scope.node.addValidation({ validate: () => unknownContainerProblems(scope) });
    }
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
      const settings = SETTINGS.get(current);
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
    if (!(construct instanceof kplus.AbstractPod)) continue;
    for (const container of [...construct.initContainers, ...construct.containers]) if (!names.includes(container.name)) names.push(container.name);
  }
  const problems: string[] = [];
  for (const key of Object.keys(SETTINGS.get(scope) ?? {})) {
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
