import { ContainerJson, isNativeSidecar, PodSpecJson } from './manifest';
import { bytesToMebibytes, cpuMillicores, memoryBytes } from './quantity';

/** Request and limit of one resource; a limit left out is not rendered (see RulePolicy for the cpu-limit rule). */
export interface RequestAndLimit {
  readonly request: number;
  readonly limit?: number;
}

/** Amounts of cpu (millicores), memory and local ephemeral storage (mebibytes) for a pod or container. */
export interface ResourceAmounts {
  readonly cpuMillis: number;
  readonly memoryMebibytes: number;
  /**
   * Local ephemeral storage (the containers' writable layers and logs, and disk-backed emptyDirs).
   * In a budget, left out means no budget for it; in what the library reports, left out when no
   * container declares any.
   * @default - none
   */
  readonly ephemeralStorageMebibytes?: number;
}

/** What the scheduler reserves for a pod (requests) and the most it may use (limits). */
export interface PodResources {
  readonly requests: ResourceAmounts;
  readonly limits: ResourceAmounts;
}

export type Kind = 'requests' | 'limits';

/** Exact amounts: whole millicores and whole bytes, rounded up per container as the kubelet does. */
export interface ExactAmounts {
  readonly millicores: bigint;
  readonly bytes: bigint;
  /** Bytes of local ephemeral storage. */
  readonly storageBytes: bigint;
}

const NONE: ExactAmounts = { millicores: 0n, bytes: 0n, storageBytes: 0n };

/** The resource name Kubernetes uses for local ephemeral storage. */
export const EPHEMERAL_STORAGE = 'ephemeral-storage';

export function amountsOf(container: ContainerJson, kind: Kind): ExactAmounts {
  const values = container.resources?.[kind] ?? {};
  const storage = values[EPHEMERAL_STORAGE];
  return {
    millicores: values.cpu === undefined ? 0n : cpuMillicores(values.cpu),
    bytes: values.memory === undefined ? 0n : memoryBytes(values.memory),
    storageBytes: storage === undefined ? 0n : memoryBytes(storage),
  };
}

const larger = (a: bigint, b: bigint) => (a > b ? a : b);

function plus(a: ExactAmounts, b: ExactAmounts): ExactAmounts {
  return { millicores: a.millicores + b.millicores, bytes: a.bytes + b.bytes, storageBytes: a.storageBytes + b.storageBytes };
}

function most(a: ExactAmounts, b: ExactAmounts): ExactAmounts {
  return { millicores: larger(a.millicores, b.millicores), bytes: larger(a.bytes, b.bytes), storageBytes: larger(a.storageBytes, b.storageBytes) };
}

export function inUnits(amounts: ExactAmounts): ResourceAmounts {
  const units = { cpuMillis: Number(amounts.millicores), memoryMebibytes: bytesToMebibytes(amounts.bytes) };
  return amounts.storageBytes === 0n ? units : { ...units, ephemeralStorageMebibytes: bytesToMebibytes(amounts.storageBytes) };
}

/**
 * The Kubernetes rule, per resource: the larger of (app containers + native sidecars) and, for each
 * run-to-completion init container, (that init container + the native sidecars declared before it,
 * which are already running while it runs).
 */
export function effectiveExact(spec: PodSpecJson, kind: Kind): ExactAmounts {
  // One pass (synth runs this for every pod): the native sidecars declared so far, and the largest peak.
  let sidecars = NONE;
  let peak = NONE;
  for (const container of spec.initContainers ?? []) {
    if (isNativeSidecar(container)) sidecars = plus(sidecars, amountsOf(container, kind));
    else peak = most(peak, plus(sidecars, amountsOf(container, kind)));
  }
  let running = sidecars;
  for (const container of spec.containers) running = plus(running, amountsOf(container, kind));
  return most(running, peak);
}

/**
 * The pod's effective requests and limits by the Kubernetes rule, added exactly (700m + 100m is
 * 800m): cpu in whole millicores, memory and ephemeral storage in mebibytes (fractional when bytes
 * are not whole Mi). The ephemeral-storage limit is also what the kubelet evicts the pod at: its
 * containers' writable layers and logs and its disk-backed emptyDirs, together.
 */
export function effectivePodResources(spec: PodSpecJson): PodResources {
  return { requests: inUnits(effectiveExact(spec, 'requests')), limits: inUnits(effectiveExact(spec, 'limits')) };
}

/** `spec.resources` as rendered: cpu in millicores, memory in mebibytes. */
export function podLevelResourcesJson(pod: PodResources): Record<string, Record<string, string>> {
  const quantities = (a: ResourceAmounts) => ({ cpu: `${a.cpuMillis}m`, memory: `${a.memoryMebibytes}Mi` });
  return { limits: quantities(pod.limits), requests: quantities(pod.requests) };
}
