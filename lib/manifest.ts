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

/** Every container of a pod spec, init containers first, as they start. */
export function containersOf(spec: PodSpecJson): ContainerJson[] {
  return [...(spec.initContainers ?? []), ...spec.containers];
}

/** Whether an init container is a native sidecar, running beside the app rather than before it. */
export function isNativeSidecar(container: ContainerJson): boolean {
  return container.restartPolicy === 'Always';
}
