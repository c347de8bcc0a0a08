import { ContainerJson, isNativeSidecar, PodSpecJson } from './manifest';
import { bytesToMebibytes, cpuMillicores, memoryBytes } from './quantity';

/** Amounts of cpu (millicores) and memory (mebibytes) for a pod or container. */
export interface ResourceAmounts {
  readonly cpuMillis: number;
  readonly memoryMebibytes: number;
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
}

const NONE: ExactAmounts = { millicores: 0n, bytes: 0n };

export function amountsOf(container: ContainerJson, kind: Kind): ExactAmounts {
  const values = container.resources?.[kind] ?? {};
  return {
    millicores: values.cpu === undefined ? 0n : cpuMillicores(values.cpu),
    bytes: values.memory === undefined ? 0n : memoryBytes(values.memory),
  };
}

function sum(amounts: ExactAmounts[]): ExactAmounts {
  return amounts.reduce((total, a) => ({ millicores: total.millicores + a.millicores, bytes: total.bytes + a.bytes }), NONE);
}

function max(amounts: ExactAmounts[]): ExactAmounts {
  return amounts.reduce(
    (most, a) => ({ millicores: a.millicores > most.millicores ? a.millicores : most.millicores, bytes: a.bytes > most.bytes ? a.bytes : most.bytes }),
    NONE,
  );
}

export function inUnits(amounts: ExactAmounts): ResourceAmounts {
  return { cpuMillis: Number(amounts.millicores), memoryMebibytes: bytesToMebibytes(amounts.bytes) };
}

/**
 * The Kubernetes rule, per resource: the larger of (app containers + native sidecars) and, for each
 * run-to-completion init container, (that init container + the native sidecars declared before it,
 * which are already running while it runs).
 */
export function effectiveExact(spec: PodSpecJson, kind: Kind): ExactAmounts {
  const initContainers = spec.initContainers ?? [];
  const running = sum([...initContainers.filter(isNativeSidecar), ...spec.containers].map((c) => amountsOf(c, kind)));
  const peaks = initContainers.flatMap((c, index) =>
    isNativeSidecar(c) ? [] : [sum([c, ...initContainers.slice(0, index).filter(isNativeSidecar)].map((x) => amountsOf(x, kind)))],
  );
  return max([running, ...peaks]);
}

/**
 * The pod's effective requests and limits by the Kubernetes rule, added exactly (700m + 100m is
 * 800m): cpu in whole millicores, memory in mebibytes (fractional when bytes are not whole Mi).
 */
export function effectivePodResources(spec: PodSpecJson): PodResources {
  return { requests: inUnits(effectiveExact(spec, 'requests')), limits: inUnits(effectiveExact(spec, 'limits')) };
}

/** `spec.resources` as rendered: cpu in millicores, memory in mebibytes. */
export function podLevelResourcesJson(pod: PodResources): Record<string, Record<string, string>> {
  const quantities = (a: ResourceAmounts) => ({ cpu: `${a.cpuMillis}m`, memory: `${a.memoryMebibytes}Mi` });
  return { limits: quantities(pod.limits), requests: quantities(pod.requests) };
}
