import { ContainerJson, containersOf, isNativeSidecar, PodSpecJson } from './manifest';
import { bytesToMebibytes, cpuMillicores, memoryBytes } from './quantity';
import type { Problem } from './rules';

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

type Kind = 'requests' | 'limits';

/** Exact amounts: whole millicores and whole bytes, rounded up per container as the kubelet does. */
interface ExactAmounts {
  readonly millicores: bigint;
  readonly bytes: bigint;
}

const NONE: ExactAmounts = { millicores: 0n, bytes: 0n };

function amountsOf(container: ContainerJson, kind: Kind): ExactAmounts {
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

function inUnits(amounts: ExactAmounts): ResourceAmounts {
  return { cpuMillis: Number(amounts.millicores), memoryMebibytes: bytesToMebibytes(amounts.bytes) };
}

/**
 * The Kubernetes rule, per resource: the larger of (app containers + native sidecars) and, for each
 * run-to-completion init container, (that init container + the native sidecars declared before it,
 * which are already running while it runs).
 */
function effectiveExact(spec: PodSpecJson, kind: Kind): ExactAmounts {
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

/** Problems when the pod's effective limits exceed `budget`, naming the biggest containers. */
export function budgetProblems(spec: PodSpecJson, budget: ResourceAmounts): Problem[] {
  const limits = effectiveExact(spec, 'limits');
  const containers = containersOf(spec);
  const checks = [
    { resource: 'cpu', field: 'cpuMillis', unit: 'millicores', amount: (a: ExactAmounts) => a.millicores, format: formatMillicores, scale: 1 },
    { resource: 'memory', field: 'memoryMebibytes', unit: 'mebibytes', amount: (a: ExactAmounts) => a.bytes, format: formatBytes, scale: 2 ** 20 },
  ] as const;
  return checks.flatMap(({ resource, field, unit, amount, format, scale }): Problem[] => {
    const given = budget[field];
    if (typeof given !== 'number' || !(given >= 0) || given === Infinity) {
      return [
        {
          rule: 'pod-budget',
          field: `budget.${field}`,
          value: String(given),
          message: `the pod's ${resource} budget ${given} is not a number of ${unit}`,
          fix: `Give enforceResourceBudget a finite ${field} of 0 or more.`,
        },
      ];
    }
    // Rounded down: whole units within the budget, so a fractional budget is never exceeded.
    const most = BigInt(Math.floor(given * scale));
    if (amount(limits) <= most) return [];
    const biggest = containers
      .map((c) => ({ name: c.name, limit: amount(amountsOf(c, 'limits')) }))
      .sort((a, b) => (a.limit === b.limit ? 0 : a.limit > b.limit ? -1 : 1))
      .slice(0, 3)
      .map(({ name, limit }) => `'${name}' ${format(limit)}`)
      .join(', ');
    return [
      {
        rule: 'pod-budget',
        field: `budget.${field}`,
        value: format(amount(limits)),
        message: `the pod's effective ${resource} limit ${format(amount(limits))} is above its budget ${format(most)}`,
        fix: `The biggest limits are ${biggest}: lower them or raise the budget.`,
      },
    ];
  });
}

function formatMillicores(millicores: bigint): string {
  return `${millicores}m`;
}

function formatBytes(bytes: bigint): string {
  return `${bytesToMebibytes(bytes)}Mi`;
}

/** `spec.resources` as rendered: cpu in millicores, memory in mebibytes. */
export function podLevelResourcesJson(pod: PodResources): Record<string, Record<string, string>> {
  const quantities = (a: ResourceAmounts) => ({ cpu: `${a.cpuMillis}m`, memory: `${a.memoryMebibytes}Mi` });
  return { limits: quantities(pod.limits), requests: quantities(pod.requests) };
}

/**
 * The rules of KEP-2837 for pod-level resources: the pod's requests within its limits, the
 * aggregated container requests (by the effective-resources rule) within the pod's requests, and no
 * container limit above the pod's limit.
 */
export function podLevelResourceProblems(spec: PodSpecJson, pod: PodResources): Problem[] {
  const aggregated = inUnits(effectiveExact(spec, 'requests'));
  const containers = containersOf(spec);
  const problems: Problem[] = [];
  const resources = [
    { resource: 'cpu', field: 'cpuMillis', unit: 'm' },
    { resource: 'memory', field: 'memoryMebibytes', unit: 'Mi' },
  ] as const;
  for (const { resource, field, unit } of resources) {
    const problem = (message: string, fix: string, container?: string): Problem => ({
      rule: 'pod-level-resources',
      container,
      field: `spec.resources.${resource}`,
      value: `${pod.requests[field]}${unit} / ${pod.limits[field]}${unit}`,
      message,
      fix,
    });
    if (pod.requests[field] > pod.limits[field]) {
      problems.push(problem(`pod-level ${resource} request ${pod.requests[field]}${unit} is above the pod-level limit ${pod.limits[field]}${unit}`, 'Lower the request or raise the limit.'));
    }
    if (aggregated[field] > pod.requests[field]) {
      problems.push(
        problem(
          `the containers' aggregated ${resource} requests ${aggregated[field]}${unit} are above the pod-level request ${pod.requests[field]}${unit} (KEP-2837)`,
          "Raise the pod-level request or lower the containers'.",
        ),
      );
    }
    for (const container of containers) {
      const limit = inUnits(amountsOf(container, 'limits'))[field];
      if (limit <= pod.limits[field]) continue;
      problems.push(
        problem(
          `has a ${resource} limit ${limit}${unit} above the pod-level limit ${pod.limits[field]}${unit} (KEP-2837)`,
          'Lower the container limit or raise the pod-level one.',
          container.name,
        ),
      );
    }
  }
  return problems;
}
