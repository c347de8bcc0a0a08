import { ContainerJson, isNativeSidecar, PodSpecJson } from './manifest';
import { quantity } from './rules';

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

function amountsOf(container: ContainerJson, kind: Kind): ResourceAmounts {
  const values = container.resources?.[kind] ?? {};
  return {
    cpuMillis: values.cpu === undefined ? 0 : quantity(values.cpu) * 1000,
    memoryMebibytes: values.memory === undefined ? 0 : quantity(values.memory) / 2 ** 20,
  };
}

function sum(amounts: ResourceAmounts[]): ResourceAmounts {
  return {
    cpuMillis: amounts.reduce((total, a) => total + a.cpuMillis, 0),
    memoryMebibytes: amounts.reduce((total, a) => total + a.memoryMebibytes, 0),
  };
}

/**
 * The Kubernetes rule, per resource: the larger of (app containers + native sidecars) and, for each
 * run-to-completion init container, (that init container + the native sidecars declared before it,
 * which are already running while it runs).
 */
export function effectivePodResources(spec: PodSpecJson): PodResources {
  const effective = (kind: Kind): ResourceAmounts => {
    const initContainers = spec.initContainers ?? [];
    const sidecars = initContainers.filter(isNativeSidecar);
    const running = sum([...sidecars, ...spec.containers].map((c) => amountsOf(c, kind)));
    const peaks = initContainers.flatMap((c, index) =>
      isNativeSidecar(c)
        ? []
        : [sum([c, ...initContainers.slice(0, index).filter(isNativeSidecar)].map((x) => amountsOf(x, kind)))],
    );
    return {
      cpuMillis: Math.max(running.cpuMillis, ...peaks.map((p) => p.cpuMillis)),
      memoryMebibytes: Math.max(running.memoryMebibytes, ...peaks.map((p) => p.memoryMebibytes)),
    };
  };
  return { requests: effective('requests'), limits: effective('limits') };
}

/** Problems when the pod's effective limits exceed `budget`, naming the biggest containers. */
export function budgetProblems(spec: PodSpecJson, budget: ResourceAmounts): string[] {
  const { limits } = effectivePodResources(spec);
  const containers = [...(spec.initContainers ?? []), ...spec.containers];
  const checks = [
    { resource: 'cpu', field: 'cpuMillis', unit: 'm' },
    { resource: 'memory', field: 'memoryMebibytes', unit: 'Mi' },
  ] as const;
  return checks
    .filter(({ field }) => limits[field] > budget[field])
    .map(({ resource, field, unit }) => {
      const biggest = containers
        .map((c) => ({ name: c.name, amount: amountsOf(c, 'limits')[field] }))
        .sort((a, b) => b.amount - a.amount)
        .slice(0, 3)
        .map(({ name, amount }) => `'${name}' ${amount}${unit}`)
        .join(', ');
      return (
        `the pod's effective ${resource} limit ${limits[field]}${unit} is above its budget ${budget[field]}${unit}. ` +
        `The biggest limits are ${biggest}: lower them or raise the budget.`
      );
    });
}
