import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ContainerJson, containersOf, isNativeSidecar, MetadataJson, named, PodSpecJson, podTemplateOf, WorkloadJson } from './manifest';
import { budgetProblems, ResourceAmounts } from './pod-resources';
import { Interned } from './interned';
import { checkQuantity, CheckedQuantity } from './quantity';
import { Rule, RuleId, RuleLevel, RulePolicy } from './rule-policy';

/**
 * The rules a pod must meet before it is written, checked on the rendered manifest so they see
 * exactly what kubectl would get. Each problem is data (rule, field, value) with a message naming
 * the offending value and a fix; the composition formats it and says which pattern added the container.
 */

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

/** The level of a rule for a container (or the pod): RulePolicy.levelOf on the workload. */
export type LevelOf = (rule: RuleId, container?: string) => RuleLevel;

/** Problems sorted by level; those whose rule is off are left out. */
export interface CheckResult {
  readonly errors: Problem[];
  readonly warnings: Problem[];
}

/** A problem as one line: `container 'x' (added by PATH): message. fix` (the container part only when there is one). */
export function formatProblem(problem: Problem, addedBy?: string): string {
  const about = problem.container === undefined ? '' : `container '${problem.container}'${addedBy ? ` (added by ${addedBy})` : ''}: `;
  return `${about}${problem.message}. ${problem.fix}`;
}

/** Every rule on one rendered workload: its metadata, its pod template and pod spec, and its budget (unsorted by level). */
export function workloadProblems(manifest: WorkloadJson, budget?: ResourceAmounts): Problem[] {
  const template = podTemplateOf(manifest);
  const templatePath = TEMPLATE_PATHS[manifest.kind] ?? 'spec.template';
  const found: Problem[] = [];
  checkObjectName(found, manifest.kind, manifest.metadata ?? {});
  checkMetadata(found, manifest.kind, 'metadata', manifest.metadata ?? {});
  if (template !== manifest) checkMetadata(found, 'pod template', `${templatePath}.metadata`, template.metadata ?? {});
  checkPodSpec(found, template.spec, template === manifest ? 'spec' : `${templatePath}.spec`);
  if (budget) found.push(...budgetProblems(template.spec, budget));
  return found;
}

/** Problems sorted by the level their rule has for their container; those whose rule is off are left out. */
export function byLevel(problems: readonly Problem[], levelOf: LevelOf): CheckResult {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  for (const problem of problems) {
    const level = levelOf(problem.rule, problem.container);
    if (level === RuleLevel.ERROR) errors.push(problem);
    else if (level === RuleLevel.WARNING) warnings.push(problem);
  }
  return { errors, warnings };
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
  const printedWarnings = new Set<string>();
  root.node.addValidation({
    validate: () => {
      const errors: string[] = [];
      for (const { problem, object } of duplicateObjectProblems(root)) {
        const level = RulePolicy.levelOf(object, problem.rule as Rule);
        const text = formatProblem(problem);
        if (level === RuleLevel.ERROR) errors.push(text);
        if (level === RuleLevel.WARNING && !printedWarnings.has(text)) {
          printedWarnings.add(text);
          console.warn(`Warning: ${text}`);
        }
      }
      return errors;
    },
  });
}

/** Objects under `root` that repeat an earlier object's kind, namespace and name, each with its problem. */
export function duplicateObjectProblems(root: IConstruct): { problem: Problem; object: ApiObject }[] {
  const firstByKey: Record<string, ApiObject> = Object.create(null);
  const found: { problem: Problem; object: ApiObject }[] = [];
  for (const construct of root.node.findAll()) {
    if (!(construct instanceof ApiObject)) continue;
    const namespace = construct.metadata.namespace;
    const key = `${construct.kind}\u0000${namespace ?? ''}\u0000${construct.name}`;
    const first = firstByKey[key];
    if (!first) {
      firstByKey[key] = construct;
      continue;
    }
    const paths = [first, construct].map((object) => pathUsersWrote(object)).join(' and ');
    found.push({
      object: construct,
      problem: {
        rule: 'duplicate-object',
        field: 'metadata.name',
        value: construct.name,
        message:
          `${construct.kind} '${construct.name}' ${namespace === undefined ? 'without a namespace' : `in namespace '${namespace}'`} ` +
          `is defined twice, by ${paths}`,
        fix: 'Give one of them another metadata.name or namespace: applied together, the second would replace the first.',
      },
    });
  }
  return found;
}

/** The construct a user created for an object: the cdk8s-plus construct around it, or the object itself. */
function pathUsersWrote(object: ApiObject): string {
  const owner = object.node.scope;
  return owner && !(owner instanceof Chart) && owner.node.defaultChild === object ? owner.node.path : object.node.path;
}

/** Where each kind keeps its pod template; a Pod is its own. */
const TEMPLATE_PATHS: Record<string, string> = { Pod: '', CronJob: 'spec.jobTemplate.spec.template' };

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Kubernetes 1.27 env names (IsEnvVarName, which also refuses '.' and names starting with '..'). */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
/** IANA service names (IsValidPortName): lower-case letters, digits and single '-' inside, one letter at least. */
const PORT_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
/** registry/path:tag@digest, lower-case path, as the container runtime parses references. */
const IMAGE_REFERENCE =
  /^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$/;
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

const LABEL_FIX = 'Use at most 63 lower-case letters, digits and \'-\', starting and ending with a letter or digit.';
const SUBDOMAIN_FIX =
  "Use at most 253 lower-case letters, digits, '-' and '.', each part starting and ending with a letter or digit " +
  '(cdk8s derives names from construct ids; metadata: { name } sets one).';

/** Name rules per kind, where they are tighter than a DNS-1123 subdomain (apps and batch validation, controllers). */
const NAME_RULES: Record<string, { label?: boolean; maxLength?: number; why?: string }> = {
  // Pods are named <name>-<ordinal>, their host name; their controller-revision-hash label is <name>-<hash of up to 10>.
  StatefulSet: {
    label: true,
    maxLength: 52,
    why: "each pod's controller-revision-hash label is the name, '-' and a hash of up to 10 characters, and label values have at most 63",
  },
  // The controller appends 11 characters to name each Job, whose name is at most 63.
  CronJob: { maxLength: 52, why: 'the CronJob controller appends 11 characters to name each Job, whose name has at most 63' },
  // The Job's pods carry its name as a label value.
  Job: { maxLength: 63, why: "the Job's pods carry its name in the job-name label, whose values have at most 63" },
};

/** The running shape of the fields the security and port rules read, beyond ContainerJson. */
interface SecurityContextJson {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
}
interface PortJson {
  containerPort: number;
  hostPort?: number;
  protocol?: string;
  name?: string;
}
type CheckedContainer = Omit<ContainerJson, 'ports' | 'securityContext'> & { ports?: PortJson[]; securityContext?: SecurityContextJson };

/** The object's own name and namespace, by the rules of its kind. */
function checkObjectName(problems: Problem[], kind: string, metadata: MetadataJson): void {
  const { name, namespace } = metadata;
  if (name === undefined) {
    problems.push({
      rule: 'object-name',
      field: 'metadata.name',
      value: 'undefined',
      message: `${kind} metadata.name is undefined, which the API server refuses`,
      fix: 'Leave name out of metadata to let cdk8s generate one (name: undefined removes it), or give a name.',
    });
  } else {
    const rule = NAME_RULES[kind] ?? {};
    const field = 'metadata.name';
    if (rule.label ? !isDnsLabel(name) : !isDnsSubdomain(name)) {
      problems.push({
        rule: 'object-name',
        field,
        value: name,
        message: `${kind} name '${name}' is not a DNS-1123 ${rule.label ? 'label' : 'subdomain'}`,
        fix: rule.label ? `${LABEL_FIX.slice(0, -1)}: it names the pods and their host names.` : SUBDOMAIN_FIX,
      });
    } else if (rule.maxLength !== undefined && name.length > rule.maxLength) {
      problems.push({
        rule: 'object-name',
        field,
        value: name,
        message: `${kind} name '${name}' has ${name.length} characters, more than ${rule.maxLength}`,
        fix: `Use at most ${rule.maxLength}: ${rule.why}.`,
      });
    }
  }
  if (namespace !== undefined && !isDnsLabel(namespace)) {
    problems.push({
      rule: 'namespace',
      field: 'metadata.namespace',
      value: namespace,
      message: `${kind} namespace '${namespace}' is not a DNS-1123 label`,
      fix: LABEL_FIX,
    });
  }
}

/** Labels and annotations on one object (`where` is its kind) or pod template. */
function checkMetadata(problems: Problem[], where: string, path: string, metadata: MetadataJson): void {
  const labels = metadata.labels ?? {};
  for (const key in labels) {
    const value = labels[key];
    checkQualifiedName(problems, 'label-key', where, 'label', path, 'labels', key);
    if (value.length > 63 || (value !== '' && !LABEL_NAME.test(value))) {
      problems.push({
        rule: 'label-value',
        field: `${path}.labels.${key}`,
        value,
        message: `${where} label '${key}' has value '${value}', which is not a label value`,
        fix: "Use at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit.",
      });
    }
  }
  for (const key in metadata.annotations) {
    checkQualifiedName(problems, 'annotation-key', where, 'annotation', path, 'annotations', key);
  }
}

/** Across the pod: names, ports and volumes shared by all containers, and each container's own. */
function checkPodSpec(problems: Problem[], spec: PodSpecJson, path = 'spec'): void {
  const all = containersOf(spec) as CheckedContainer[];
  const initCount = spec.initContainers?.length ?? 0;
  const podSecurity = (spec.securityContext ?? {}) as SecurityContextJson;
  // Run-to-completion init containers never run beside the others, so only the rest share ports.
  const running: CheckedContainer[] = [];
  for (const [i, container] of all.entries()) {
    const runsToCompletion = i < initCount && !isNativeSidecar(container);
    if (!runsToCompletion) running.push(container);
    const containerPath = containerField(path, initCount, i);
    checkContainer(problems, container, containerPath, runsToCompletion);
    checkSecurity(problems, container, containerPath, podSecurity, path);
  }

  for (const name of repeated(all, 'name')) {
    problems.push({
      rule: 'duplicate-container-name',
      field: `${path}.containers`,
      value: name,
      message: `container name '${name}' is used twice`,
      fix: 'Give each init and app container a name of its own.',
    });
  }

  checkPortConflicts(problems, running, path);

  const namedPorts: PortJson[] = [];
  for (const [c, container] of all.entries()) {
    for (const [i, port] of (container.ports ?? []).entries()) {
      const name = port.name;
      if (name === undefined) continue;
      namedPorts.push(port);
      if (!PORT_NAME.test(name) || name.length > 15) {
        problems.push(
          invalidName('port-name', container.name, `${containerField(path, initCount, c)}.ports[${i}].name`, `port name '${name}'`, name,
            "Use at most 15 lower-case letters, digits and '-', with at least one letter, no '--', and a letter or digit at each end."),
        );
      }
    }
  }
  for (const name of repeated(namedPorts, 'name')) {
    problems.push({
      rule: 'duplicate-port-name',
      field: `${path}.containers`,
      value: name,
      message: `port name '${name}' is used twice in the pod`,
      fix: 'Give each named port a name of its own.',
    });
  }

  const volumes = spec.volumes ?? [];
  for (const [c, container] of all.entries()) {
    for (const [i, mount] of (container.volumeMounts ?? []).entries()) {
      if (!named(volumes, mount.name)) {
        problems.push({
          rule: 'missing-volume',
          container: container.name,
          field: `${containerField(path, initCount, c)}.volumeMounts[${i}].name`,
          value: mount.name,
          message: `mounts volume '${mount.name}' at ${mount.mountPath}, which the pod does not have`,
          fix: 'Mount the volume through container.mount(path, volume) so it is added to the pod, or add it with addVolume.',
        });
      }
    }
  }
}

/** Where the `index`th of the pod's containers (init containers first) is in the manifest. */
function containerField(specPath: string, initCount: number, index: number): string {
  return index < initCount ? `${specPath}.initContainers[${index}]` : `${specPath}.containers[${index - initCount}]`;
}

/** What an init container that runs to completion cannot have. */
const INIT_ONLY_FIELDS = ['startupProbe', 'readinessProbe', 'livenessProbe', 'lifecycle'] as const;

/** One container on its own. `runsToCompletion` is true for init containers that are not native sidecars. */
function checkContainer(problems: Problem[], container: CheckedContainer, path: string, runsToCompletion: boolean): void {
  const name = container.name;
  if (!isDnsLabel(name)) {
    problems.push({ rule: 'container-name', container: name, field: `${path}.name`, value: name, message: 'name is not a DNS-1123 label', fix: LABEL_FIX });
  }
  checkImage(problems, name, path, container.image ?? '');
  if (container.env) checkEnv(problems, name, path, container.env);
  checkResources(problems, name, path, container.resources ?? {});
  if (container.ports) checkPortNumbers(problems, name, path, container.ports);
  if (container.volumeMounts) {
    for (const mountPath of repeated(container.volumeMounts, 'mountPath')) {
      problems.push({
        rule: 'duplicate-mount-path',
        container: name,
        field: `${path}.volumeMounts`,
        value: mountPath,
        message: `two volumes are mounted at ${mountPath}`,
        fix: 'Mount each path once (patterns share one emptyDir per path).',
      });
    }
  }
  if (runsToCompletion) {
    for (const field of INIT_ONLY_FIELDS) {
      if (container[field] !== undefined) {
        problems.push({
          rule: 'init-container-probe',
          container: name,
          field: `${path}.${field}`,
          message: `an init container that runs to completion cannot have ${field}`,
          fix: 'Remove it, or make the container a native sidecar (restartPolicy: Always), which can have probes and hooks.',
        });
      }
    }
  }
}

/** What is wrong with an image reference, by the reference: a few distinct images recur in every pod. */
const IMAGE_FINDINGS = new Interned<Pick<Problem, 'rule' | 'message' | 'fix'> | undefined>(1_000);

/** An image reference must parse; one that can change under the same name is advice (a warning by default). */
function checkImage(problems: Problem[], container: string, path: string, image: string): void {
  const found = IMAGE_FINDINGS.of(image, imageFinding);
  if (found) problems.push({ ...found, container, field: `${path}.image`, value: image });
}

function imageFinding(image: string): Pick<Problem, 'rule' | 'message' | 'fix'> | undefined {
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  return image.trim() === ''
    ? { rule: 'image-reference', message: 'image is empty', fix: "Give an image reference such as 'busybox:1.36'." }
    : !IMAGE_REFERENCE.test(image)
      ? {
          rule: 'image-reference',
          message: `image '${image}' is not a valid image reference`,
          fix: "Use [registry/]name[:tag][@digest] with a lower-case name, e.g. 'registry.example.com/team/app:1.2.3'.",
        }
      : !image.includes('@') && (!lastPart.includes(':') || image.endsWith(':latest'))
        ? { rule: 'image-tag', message: `image '${image}' can change under the same name`, fix: "Pin a tag (e.g. 'busybox:1.36') or a digest ('busybox@sha256:...')." }
        : undefined;
}

function checkEnv(problems: Problem[], container: string, path: string, env: { name: string }[]): void {
  for (const [i, { name }] of env.entries()) {
    if (!ENV_NAME.test(name) || name === '.' || name.startsWith('..')) {
      problems.push(
        invalidName('env-name', container, `${path}.env[${i}].name`, `env name '${name}'`, name,
          "Use letters, digits, '_', '-' and '.', not starting with a digit or '..', and not just '.'."),
      );
    }
  }
  for (const name of repeated(env, 'name')) {
    problems.push({
      rule: 'duplicate-env',
      container,
      field: `${path}.env`,
      value: name,
      message: `env '${name}' is set twice`,
      fix: 'Set each variable once (patterns add HANDOFF_DIR and <UPSTREAM>_ADDR).',
    });
  }
}

const QUANTITY_FIXES: Record<string, string> = {
  'is not a finite number': 'Use a finite number.',
  'is not a Kubernetes quantity':
    "Write digits with at most one suffix, e.g. '250m' or '0.5' for cpu and '64Mi' or '1Gi' for memory " +
    '(kplus.Cpu.millis(n) and Size.mebibytes(n) need finite n below 1e21).',
  'is too large': 'Use a value a node can have, e.g. at most a few thousand cores or a few Ti.',
  'is negative': 'Use 0 or more.',
};

const REQUIRED_RESOURCES = ['cpu', 'memory'] as const;
const PORT_FIELDS = ['containerPort', 'hostPort'] as const;
const CAPABILITY_LISTS = ['add', 'drop'] as const;

/**
 * Every container needs cpu and memory requests and limits (each its own rule, so a policy can drop
 * cpu limits alone); every amount given, of any resource, must parse and a request must not exceed its limit.
 */
function checkResources(problems: Problem[], container: string, path: string, resources: NonNullable<ContainerJson['resources']>): void {
  const requests = resources.requests ?? {};
  const limits = resources.limits ?? {};
  for (const resource of REQUIRED_RESOURCES) {
    if (requests[resource] === undefined) problems.push(missingAmount(container, path, resource, 'request'));
    if (limits[resource] === undefined) problems.push(missingAmount(container, path, resource, 'limit'));
  }
  for (const resource in requests) checkAmounts(problems, container, path, resource, requests[resource], limits[resource]);
  for (const resource in limits) {
    if (!Object.prototype.hasOwnProperty.call(requests, resource)) checkAmounts(problems, container, path, resource, undefined, limits[resource]);
  }
}

/** A required request or limit left out: its own rule, so a policy can turn off e.g. cpu limits alone. */
function missingAmount(container: string, path: string, resource: typeof REQUIRED_RESOURCES[number], kind: 'request' | 'limit'): Problem {
  const rule = `${resource}-${kind}` as const;
  return {
    rule,
    container,
    field: `${path}.resources.${kind}s.${resource}`,
    message: `${resource} ${kind} is missing`,
    fix:
      `Give resources.${resource} a request and a limit (the patterns' defaults are documented in the README), ` +
      `or set RulePolicy.set(scope, Rule.${resource.toUpperCase()}_${kind.toUpperCase()}, RuleLevel.OFF, { reason }).`,
  };
}

/** One resource's request and limit: each must parse, and the request must not exceed the limit. */
function checkAmounts(problems: Problem[], container: string, path: string, resource: string, request?: string | number, limit?: string | number): void {
  const requested = request === undefined ? undefined : checkAmount(problems, container, path, resource, 'request', request);
  const limited = limit === undefined ? undefined : checkAmount(problems, container, path, resource, 'limit', limit);
  if (typeof requested === 'bigint' && typeof limited === 'bigint' && requested > limited) {
    problems.push({
      rule: 'request-above-limit',
      container,
      field: `${path}.resources.requests.${resource}`,
      value: String(request),
      message: `${resource} request ${request} is above its limit ${limit}`,
      fix: 'Lower the request or raise the limit.',
    });
  }
}

/** One amount, checked once: the problem is added here, the result returned for the comparison. */
function checkAmount(problems: Problem[], container: string, path: string, resource: string, kind: 'request' | 'limit', value: string | number): CheckedQuantity {
  const checked = checkQuantity(value);
  if (typeof checked === 'string') {
    problems.push({
      rule: 'resource-quantity',
      container,
      field: `${path}.resources.${kind}s.${resource}`,
      value: String(value),
      message: `${resource} ${kind} '${value}' ${checked}`,
      fix: QUANTITY_FIXES[checked],
    });
  }
  return checked;
}

/** containerPort and hostPort must be whole numbers in 1..65535, with a protocol Kubernetes knows. */
function checkPortNumbers(problems: Problem[], container: string, path: string, ports: PortJson[]): void {
  for (const [i, port] of ports.entries()) {
    for (const key of PORT_FIELDS) {
      const value = port[key];
      // A hostPort of 0 (or none) means the container publishes nothing on the node.
      if ((key === 'containerPort' || (value !== undefined && value !== 0)) && !isPortNumber(value)) {
        problems.push({
          rule: 'port-number',
          container,
          field: `${path}.ports[${i}].${key}`,
          value: String(value),
          message: `${key} ${value} is not a port number`,
          fix: 'Use a whole number from 1 to 65535.',
        });
      }
    }
    if (port.protocol !== undefined && !PROTOCOLS.includes(port.protocol)) {
      problems.push({
        rule: 'port-protocol',
        container,
        field: `${path}.ports[${i}].protocol`,
        value: port.protocol,
        message: `port ${port.containerPort} has protocol '${port.protocol}', which Kubernetes does not know`,
        fix: 'Use TCP, UDP or SCTP (upper case).',
      });
    }
  }
}

/** How each kind of port collides: on the pod's localhost (containerPort) or on the node (hostPort). */
const PORT_CONFLICTS = {
  containerPort: {
    what: 'port',
    where: "which share the pod's localhost",
    fix: 'Give each container its own port (e.g. the ambassador firstPort prop or the adapter metricsPort).',
  },
  hostPort: {
    what: 'hostPort',
    where: 'which the API server refuses',
    fix: 'Publish each host port from one container, or leave hostPort out (Pod Security Standards "restricted" refuse host ports anyway).',
  },
} as const;

/** Containers running together share one network namespace and one node: one listener per port and protocol. */
function checkPortConflicts(problems: Problem[], running: CheckedContainer[], path: string): void {
  for (const key of PORT_FIELDS) {
    const owners: { port: number; protocol: string; names: string[] }[] = [];
    for (const container of running) {
      for (const port of container.ports ?? []) {
        const number = port[key];
        if (number === undefined || number === 0) continue;
        const protocol = port.protocol ?? 'TCP';
        let entry = owners.find((owner) => owner.port === number && owner.protocol === protocol);
        if (!entry) owners.push((entry = { port: number, protocol, names: [] }));
        if (!entry.names.includes(container.name)) entry.names.push(container.name);
      }
    }
    for (const { port, protocol, names } of owners) {
      if (names.length < 2) continue;
      const { what, where, fix } = PORT_CONFLICTS[key];
      problems.push({
        rule: 'port-conflict',
        field: `${path}.containers`,
        value: String(port),
        message: `${what} ${port}${protocol === 'TCP' ? '' : `/${protocol}`} is declared by containers ${names.map((o) => `'${o}'`).join(' and ')}, ${where}`,
        fix,
      });
    }
  }
}

/**
 * Security contexts that contradict themselves: the API server refuses privileged without privilege
 * escalation; the kubelet refuses to start a container that must not run as root but is given uid 0;
 * capabilities are named without CAP_ (cdk8s-plus' Capability enum adds it, the runtime and Pod
 * Security Standards do not take it).
 */
function checkSecurity(problems: Problem[], container: CheckedContainer, path: string, pod: SecurityContextJson, specPath: string): void {
  const name = container.name;
  const context = container.securityContext ?? {};
  // A container's own field wins over the pod's.
  const runAsNonRoot = context.runAsNonRoot ?? pod.runAsNonRoot;
  if (runAsNonRoot === true && (context.runAsUser ?? pod.runAsUser) === 0) {
    const own = context.runAsUser !== undefined;
    problems.push({
      rule: 'run-as-root',
      container: name,
      field: `${own ? path : specPath}.securityContext.runAsUser`,
      value: '0',
      message: `runs as uid 0 (${own ? 'its' : "the pod's"} runAsUser) with runAsNonRoot true, which the kubelet refuses to start`,
      fix: 'Set runAsUser to a non-zero uid such as 65534 (RestrictedSecurity.NON_ROOT_ID), or runAsNonRoot to false if it must run as root.',
    });
  }
  if (context.privileged === true && context.allowPrivilegeEscalation === false) {
    problems.push({
      rule: 'privileged-without-escalation',
      container: name,
      field: `${path}.securityContext.allowPrivilegeEscalation`,
      value: 'false',
      message: 'is privileged with allowPrivilegeEscalation false, which the API server refuses',
      fix: 'Set allowPrivilegeEscalation: true beside privileged: true (cdk8s-plus sets it false by default), or drop privileged.',
    });
  }
  const capabilities = context.capabilities ?? {};
  for (const list of CAPABILITY_LISTS) {
    for (const [i, capability] of (capabilities[list] ?? []).entries()) {
      if (capability.startsWith('CAP_')) {
        const bare = capability.slice('CAP_'.length);
        problems.push({
          rule: 'capability-name',
          container: name,
          field: `${path}.securityContext.capabilities.${list}[${i}]`,
          value: capability,
          message: `capability '${capability}' has the CAP_ prefix: Kubernetes names capabilities without it, and Pod Security Standards refuse it`,
          fix:
            `Use '${bare}' (e.g. '${bare}' as kplus.Capability, or CAPABILITY_NET_BIND_SERVICE and CAPABILITY_ALL): ` +
            "cdk8s-plus' Capability enum adds the prefix.",
        });
      }
    }
  }
  const added = capabilities.add ?? [];
  if (added.length > 0 && !(capabilities.drop ?? []).includes('ALL')) {
    problems.push({
      rule: 'capability-without-drop-all',
      container: name,
      field: `${path}.securityContext.capabilities.drop`,
      value: added.join(', '),
      message: `adds capabilities ${added.join(', ')} without dropping ALL`,
      fix: 'Add drop: [CAPABILITY_ALL] and add back only what it needs, as Pod Security Standards "restricted" require.',
    });
  }
}

/** A label or annotation key: an optional DNS prefix and '/', then a name. */
function checkQualifiedName(
  problems: Problem[],
  rule: 'label-key' | 'annotation-key',
  where: string,
  what: 'label' | 'annotation',
  path: string,
  field: 'labels' | 'annotations',
  key: string,
): void {
  const slash = key.lastIndexOf('/');
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const badPrefix = slash >= 0 && !isDnsSubdomain(key.slice(0, slash));
  if (badPrefix || name.length > 63 || !LABEL_NAME.test(name)) {
    problems.push({
      rule,
      field: `${path}.${field}.${key}`,
      value: key,
      message: `${where} ${what} key '${key}' is invalid`,
      fix:
        "Use an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' and '.', " +
        "starting and ending with a letter or digit (e.g. 'app.kubernetes.io/name').",
    });
  }
}

/** A name that breaks its rule: `what` names it in the message, e.g. "env name 'X'". */
function invalidName(rule: RuleId, container: string, field: string, what: string, name: string, fix: string): Problem {
  return { rule, container, field, value: name, message: `${what} is invalid`, fix };
}

/** A DNS-1123 label: at most 63 lower-case letters, digits and '-', a letter or digit at each end. */
export function isDnsLabel(value: unknown): boolean {
  return typeof value === 'string' && value.length <= 63 && DNS_1123_LABEL.test(value);
}

/** A DNS-1123 subdomain: at most 253 characters, dot-separated labels. */
export function isDnsSubdomain(value: unknown): boolean {
  return typeof value === 'string' && value.length <= 253 && DNS_1123_SUBDOMAIN.test(value);
}

/** A TCP/UDP port number: an integer from 1 to 65535. */
export function isPortNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** The values of `field` that more than one item has, each once, in order. */
function repeated<K extends string, T extends { readonly [key in K]?: string }>(items: readonly T[], field: K): string[] {
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
