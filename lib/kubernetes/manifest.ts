/**
 * The rendered JSON of workloads, as the patterns read and finish it after cdk8s-plus-27 has
 * rendered it (the only place fields newer than 1.27, such as native sidecars, can be written).
 */

import { Interned } from './interned';

/** A container as rendered (the fields the patterns read or write). */
export interface ContainerJson {
  name: string;
  image?: string;
  env?: { name: string; value?: string; valueFrom?: Record<string, unknown> }[];
  ports?: PortJson[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  restartPolicy?: string;
  restartPolicyRules?: { action: string; exitCodes: { operator: string; values: number[] } }[];
  startupProbe?: unknown;
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  lifecycle?: unknown;
  securityContext?: SecurityContextJson;
}

/** A container port as rendered. */
export interface PortJson {
  containerPort: number;
  hostPort?: number;
  protocol?: string;
  name?: string;
}

/** The fields of a container's security context the rules read. */
export interface SecurityContextJson {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
}

/** A volume as rendered (the fields the rules read). */
export interface VolumeJson {
  name: string;
  emptyDir?: { medium?: string; sizeLimit?: string };
  image?: { reference: string; pullPolicy?: string };
}

/** A pod spec as rendered. */
export interface PodSpecJson {
  containers: ContainerJson[];
  initContainers?: ContainerJson[];
  volumes?: VolumeJson[];
  securityContext?: Record<string, unknown>;
  restartPolicy?: string;
  shareProcessNamespace?: boolean;
  resources?: Record<string, Record<string, string>>;
  terminationGracePeriodSeconds?: number;
}

/** Labels and annotations as rendered. */
export interface MetadataJson {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A pod template as rendered: its labels and annotations, and the pod spec. */
export interface PodTemplateJson {
  metadata?: MetadataJson;
  spec: PodSpecJson;
}

/** A rendered workload: a Pod's spec is the pod spec, the other kinds hold a pod template. */
export interface WorkloadJson {
  kind: string;
  metadata: MetadataJson;
  spec: PodSpecJson & {
    selector?: { matchLabels?: Record<string, string> };
    template?: PodTemplateJson;
    jobTemplate?: { spec: { template: PodTemplateJson } };
  };
}

/**
 * Where each kind Kubernetes defines keeps its pod template, as a JSON pointer ('' for a Pod, which is
 * its own). Any other kind is read at `/spec/template`, where Argo Rollouts, Knative Services and most
 * custom workloads keep it, unless its attachment says otherwise.
 */
const POD_TEMPLATE_POINTERS: Readonly<Record<string, string>> = {
  Pod: '',
  Deployment: '/spec/template',
  StatefulSet: '/spec/template',
  DaemonSet: '/spec/template',
  ReplicaSet: '/spec/template',
  ReplicationController: '/spec/template',
  Job: '/spec/template',
  CronJob: '/spec/jobTemplate/spec/template',
};

/** Kinds Kubernetes defines that hold no pod: attaching a pattern to one is a mistake, whatever the path. */
export const KINDS_WITHOUT_POD: readonly string[] = ['Service', 'ConfigMap', 'Secret', 'Ingress', 'Namespace', 'ServiceAccount', 'PersistentVolumeClaim', 'NetworkPolicy', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'CustomResourceDefinition'];

/** Where a workload of `kind` keeps its pod template (a JSON pointer), if Kubernetes defines the kind. */
export function knownPodTemplatePointer(kind: string): string | undefined {
  return POD_TEMPLATE_POINTERS[kind];
}

/** Parsed pointers: an app has a handful, read for every pod it renders. */
const SEGMENTS = new Interned<readonly string[]>();

/** The pointer's segments: '/spec/template' → ['spec', 'template'], '' → []. */
export function pointerSegments(pointer: string): readonly string[] {
  return SEGMENTS.of(pointer, (p) => (p === '' ? [] : p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))));
}

/** The pod template of a workload at `pointer` (by default where its kind keeps it); for a Pod, the Pod itself. */
export function podTemplateOf(manifest: WorkloadJson, pointer?: string): PodTemplateJson {
  if (pointer === undefined) {
    if (manifest.kind === 'Pod') return manifest;
    // Undefined (typed away) on an object that holds no pod, for callers that look before they read.
    return (manifest.kind === 'CronJob' ? manifest.spec?.jobTemplate?.spec?.template : manifest.spec?.template) as PodTemplateJson;
  }
  let node: unknown = manifest;
  for (const segment of pointerSegments(pointer)) node = (node as Record<string, unknown> | undefined)?.[segment];
  return node as PodTemplateJson;
}

/** The pointer of the pod template that `podTemplateOf(manifest)` reads when no pointer is given. */
export function defaultPodTemplatePointer(kind: string): string {
  return knownPodTemplatePointer(kind) ?? '/spec/template';
}

/** Every container of a pod spec, init containers first, as they start (a new list). */
export function containersOf(spec: PodSpecJson): ContainerJson[] {
  return spec.initContainers ? spec.initContainers.concat(spec.containers) : spec.containers.slice();
}

/** The item called `name` (a container, an env entry, a volume), if any. */
export function named<T extends { readonly name: string }>(items: readonly T[] | undefined, name: string): T | undefined {
  return items?.find((item) => item.name === name);
}

/** The names of a pod's containers, quoted, for a message about a name that is not one of them. */
export function containerNames(containers: readonly ContainerJson[]): string {
  return containers.map((c) => `'${c.name}'`).join(', ');
}

/** How long a container's preStop hook takes, when it is a sleep (action or `sleep N` command); else 0. */
export function preStopSeconds(container: ContainerJson): number {
  const preStop = (container.lifecycle as { preStop?: { sleep?: { seconds?: number }; exec?: { command?: string[] } } } | undefined)?.preStop;
  if (preStop?.sleep?.seconds !== undefined) return preStop.sleep.seconds;
  const command = preStop?.exec?.command ?? [];
  const seconds = command[0] === 'sleep' ? Number(command[1]) : NaN;
  return Number.isFinite(seconds) ? seconds : 0;
}

/** Whether an init container is a native sidecar, running beside the app rather than before it. */
export function isNativeSidecar(container: ContainerJson): boolean {
  return container.restartPolicy === 'Always';
}

/**
 * `value` rebuilt object by object, equal to it: rebuilt objects of the same keys share one V8 hidden
 * class, where cdk8s' render leaves many with a class of their own (docs/performance.md has the
 * figures). Only plain objects and arrays are rebuilt; any other value is kept as it is.
 */
export function withSharedShapes<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(withSharedShapes) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = withSharedShapes((value as Record<string, unknown>)[key]);
  return copy as T;
}

/** A part of a manifest that is missing or of the wrong type: where (a JSON pointer), what it holds, what it must be. */
export interface MalformedPart {
  readonly pointer: string;
  readonly value: unknown;
  readonly want: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The first part the library and Kubernetes need that a JSON patch removed or retyped: the pod
 * spec, its containers (at least one), each container's name and image, and the type of the lists
 * and objects read in them (resources, env, ports, mounts, security context, volumes). Undefined
 * when the manifest has them all.
 */
export function malformedPart(manifest: unknown, templatePointer?: string): MalformedPart | undefined {
  if (!isObject(manifest)) return { pointer: '', value: manifest, want: 'an object' };
  let node: Record<string, unknown> = manifest;
  let pointer = '';
  for (const segment of [...pointerSegments(templatePointer ?? defaultPodTemplatePointer(String(manifest.kind))), 'spec']) {
    // The metadata beside each spec: the workload's, the pod template's.
    if (segment === 'spec' && node.metadata !== undefined && !isObject(node.metadata)) return { pointer: `${pointer}/metadata`, value: node.metadata, want: 'an object' };
    const next = node[segment];
    pointer += `/${segment}`;
    if (!isObject(next)) return { pointer, value: next, want: 'an object' };
    node = next;
  }
  const spec = node;
  const volumes = objectList(`${pointer}/volumes`, spec.volumes);
  if (volumes) return volumes;
  for (const list of ['initContainers', 'containers']) {
    const containers = spec[list];
    if (containers === undefined && list === 'initContainers') continue;
    if (!Array.isArray(containers) || (list === 'containers' && containers.length === 0)) {
      return { pointer: `${pointer}/${list}`, value: containers, want: list === 'containers' ? 'a list of at least one container' : 'a list of containers' };
    }
    for (let i = 0; i < containers.length; i++) {
      const found = malformedContainer(`${pointer}/${list}/${i}`, containers[i]);
      if (found) return found;
    }
  }
  return undefined;
}

function malformedContainer(pointer: string, container: unknown): MalformedPart | undefined {
  if (!isObject(container)) return { pointer, value: container, want: 'a container object' };
  for (const field of ['name', 'image']) {
    if (typeof container[field] !== 'string') return { pointer: `${pointer}/${field}`, value: container[field], want: 'a string' };
  }
  for (const field of ['resources', 'securityContext']) {
    if (container[field] !== undefined && !isObject(container[field])) return { pointer: `${pointer}/${field}`, value: container[field], want: 'an object' };
  }
  const resources = (container.resources ?? {}) as Record<string, unknown>;
  for (const kind of ['requests', 'limits']) {
    const amounts = resources[kind];
    if (amounts === undefined) continue;
    if (!isObject(amounts)) return { pointer: `${pointer}/resources/${kind}`, value: amounts, want: 'an object of quantities' };
    for (const [resource, amount] of Object.entries(amounts)) {
      if (typeof amount !== 'string' && typeof amount !== 'number') return { pointer: `${pointer}/resources/${kind}/${resource}`, value: amount, want: "a quantity such as '100m' or '64Mi'" };
    }
  }
  for (const field of ['env', 'ports', 'volumeMounts']) {
    const found = objectList(`${pointer}/${field}`, container[field]);
    if (found) return found;
  }
  const env = (container.env ?? []) as Record<string, unknown>[];
  for (let i = 0; i < env.length; i++) {
    if (typeof env[i].name !== 'string') return { pointer: `${pointer}/env/${i}/name`, value: env[i].name, want: 'a string' };
  }
  return undefined;
}

/** A list that, when present, must hold objects. */
function objectList(pointer: string, value: unknown): MalformedPart | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return { pointer, value, want: 'a list' };
  for (let i = 0; i < value.length; i++) if (!isObject(value[i])) return { pointer: `${pointer}/${i}`, value: value[i], want: 'an object' };
  return undefined;
}

/** Where the `index`th of the pod's containers (init containers first) is in the manifest, e.g. `spec.containers[0]`. */
export function containerField(specPath: string, initCount: number, index: number): string {
  return index < initCount ? `${specPath}.initContainers[${index}]` : `${specPath}.containers[${index - initCount}]`;
}
