/**
 * What a rule is: its id (the `Rule` enum), its default level, and the problem data its check
 * returns. Each rule's check, default level and documented example live in its area's file here
 * (objects, containers, ports, resources, storage, security, lifecycle).
 */

/** What synth does with a rule's problems. */
export enum RuleLevel {
  /** Synth fails: through AtomicSynthesis before any file is written, through `app.synth()` at the chart that holds the pod. */
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
  /** An emptyDir has no sizeLimit. */
  DIRECTORY_SIZE_LIMIT = 'directory-size-limit',
  /** A log file is followed from a directory with no size limit. */
  UNBOUNDED_LOG_DIRECTORY = 'unbounded-log-directory',
  /** The pod's ephemeral-storage limit is below what its disk-backed directories may hold. */
  EPHEMERAL_STORAGE_LIMIT = 'ephemeral-storage-limit',
  /** A memory-backed emptyDir may hold more than the memory limit of a container that writes it. */
  MEMORY_BACKED_DIRECTORY = 'memory-backed-directory',
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
 * A rule as its area declares it: id, default level, and the example docs/rules.md shows (test/checks/rules-by-example
 * builds each example and checks it gives exactly `exampleMessage`).
 */
export interface RuleDefinition {
  readonly rule: RuleId;
  /** Its level unless a RulePolicy says otherwise: errors for what the API server or kubelet would refuse, warnings for advice. */
  readonly level: RuleLevel;
  /** Ends "fails when ..." in the rules table. */
  readonly failsWhen: string;
  /** The input that breaks it, as the rules table shows it (markdown). */
  readonly exampleInput: string;
  /** The exact line synth prints for that input. */
  readonly exampleMessage: string;
}

/** One thing a rule found wrong. */
export interface Problem {
  readonly rule: RuleId;
  /** The container it is about; undefined when it is about the pod or object. */
  readonly container?: string;
  /** Where in the manifest, e.g. `spec.template.spec.containers[1].ports[0].containerPort`. */
  readonly field: string;
  /** The offending value as written, when there is one. */
  readonly value?: string;
  /** What is wrong, without a final period. */
  readonly message: string;
  /** How to fix it: one or more sentences. */
  readonly fix: string;
}

/** A problem as one line: `container 'x' (added by PATH): message. fix` (the container part only when there is one). */
export function formatProblem(problem: Problem, addedBy?: string): string {
  const about = problem.container === undefined ? '' : `container '${problem.container}'${addedBy ? ` (added by ${addedBy})` : ''}: `;
  return `${about}${problem.message}. ${problem.fix}`;
}

/** The values of `field` that more than one item has, each once, in order. */
export function repeated<K extends string, T extends { readonly [key in K]?: string }>(items: readonly T[], field: K): string[] {
  const seen = new Set<string>();
  const found = new Set<string>();
  for (const item of items) {
    const value = item[field];
    if (value === undefined) continue;
    if (seen.has(value)) found.add(value);
    seen.add(value);
  }
  return [...found];
}

/** A name that breaks its rule: `what` names it in the message, e.g. "env name 'X'". */
export function invalidName(rule: RuleId, container: string, field: string, what: string, name: string, fix: string): Problem {
  return { rule, container, field, value: name, message: `${what} is invalid`, fix };
}
