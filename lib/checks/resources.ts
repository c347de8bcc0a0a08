import { ContainerJson, containersOf, PodSpecJson } from '../kubernetes/manifest';
import { amountsOf, effectiveExact, ExactAmounts, inUnits, PodResources, ResourceAmounts } from '../kubernetes/pod-resources';
import { bytesToMebibytes, checkQuantity, CheckedQuantity } from '../kubernetes/quantity';
import type { PatternContainer } from '../pod/pattern-containers';
import { Problem, RuleDefinition, RuleLevel } from './rule';

/** Rules on requests and limits: of each container, of the pod, against its budget. */
export const RESOURCES_RULES: readonly RuleDefinition[] = [
  {
    rule: 'resource-quantity',
    level: RuleLevel.ERROR,
    failsWhen: 'a resource amount is negative',
    exampleInput: '`Resources.container({ cpuMillis: { request: -50, limit: 100 }, ... })`',
    exampleMessage: "[chart/Web] container 'shipper' (added by chart/Shipper): cpu request '-50m' is negative. Use 0 or more.",
  },
  {
    rule: 'cpu-request',
    level: RuleLevel.ERROR,
    failsWhen: 'a cpu request is missing',
    exampleInput: '`resources: { cpu: { limit: kplus.Cpu.millis(100) }, memory: ... }`',
    exampleMessage: "[chart/Web] container 'shipper' (added by chart/Shipper): cpu request is missing. Give resources.cpu a request and a limit (the patterns' defaults are documented in the README), or set RulePolicy.set(scope, Rule.CPU_REQUEST, RuleLevel.OFF, { reason }).",
  },
  {
    rule: 'cpu-limit',
    level: RuleLevel.ERROR,
    failsWhen: 'a cpu limit is missing',
    exampleInput: '`Resources.container({ cpuMillis: { request: 50 }, ... })`',
    exampleMessage: "[chart/Web] container 'shipper' (added by chart/Shipper): cpu limit is missing. Give resources.cpu a request and a limit (the patterns' defaults are documented in the README), or set RulePolicy.set(scope, Rule.CPU_LIMIT, RuleLevel.OFF, { reason }).",
  },
  {
    rule: 'memory-request',
    level: RuleLevel.ERROR,
    failsWhen: 'a memory request is missing',
    exampleInput: '`resources: { cpu: ..., memory: { limit: Size.mebibytes(64) } }`',
    exampleMessage: "[chart/Web] container 'shipper' (added by chart/Shipper): memory request is missing. Give resources.memory a request and a limit (the patterns' defaults are documented in the README), or set RulePolicy.set(scope, Rule.MEMORY_REQUEST, RuleLevel.OFF, { reason }).",
  },
  {
    rule: 'memory-limit',
    level: RuleLevel.ERROR,
    failsWhen: 'a memory limit is missing',
    exampleInput: '`Resources.container({ ..., memoryMebibytes: { request: 32 } })`',
    exampleMessage: "[chart/Web] container 'shipper' (added by chart/Shipper): memory limit is missing. Give resources.memory a request and a limit (the patterns' defaults are documented in the README), or set RulePolicy.set(scope, Rule.MEMORY_LIMIT, RuleLevel.OFF, { reason }).",
  },
  {
    rule: 'request-above-limit',
    level: RuleLevel.ERROR,
    failsWhen: 'a request is above its limit',
    exampleInput: '`Resources.container({ cpuMillis: { request: 500, limit: 100 }, ... })`',
    exampleMessage: "[chart/Web] container 'shipper' (added by chart/Shipper): cpu request 500m is above its limit 100m. Lower the request or raise the limit.",
  },
  {
    rule: 'pod-budget',
    level: RuleLevel.ERROR,
    failsWhen: "the pod's effective limits are above its budget",
    exampleInput: '`PodComposition.of(workload).enforceResourceBudget({ cpuMillis: 750, memoryMebibytes: 512 })`, app limit 100m + sidecar limit 700m',
    exampleMessage: "[chart/Web] the pod's effective cpu limit 800m is above its budget 750m. The biggest limits are 'shipper' 700m, 'app' 100m: lower them or raise the budget.",
  },
  {
    rule: 'pod-level-resources',
    level: RuleLevel.ERROR,
    failsWhen: 'a container limit is above the pod-level limit (KEP-2837)',
    exampleInput: 'pod-level cpu limit 80m on 1.34, app limit 100m',
    exampleMessage: "[chart/Web] container 'app': has a cpu limit 100m above the pod-level limit 80m (KEP-2837). Lower the container limit or raise the pod-level one.",
  },
  {
    rule: 'default-resources',
    level: RuleLevel.WARNING,
    failsWhen: "a pattern container runs its own image on the pattern's busybox-sized resources (a warning)",
    exampleInput: "`new Sidecar(chart, 'Exporter', { workload, image: 'oliver006/redis_exporter:v1.45.0' })`",
    exampleMessage: "Warning: [chart/Web] container 'exporter' (added by chart/Exporter): runs image 'oliver006/redis_exporter:v1.45.0' on its pattern's default resources, sized for busybox. Give `resources` measured for that image.",
  },
];

const QUANTITY_FIXES: Record<string, string> = {
  'is not a finite number': 'Use a finite number.',
  'is not a Kubernetes quantity':
    "Write digits with at most one suffix, e.g. '250m' or '0.5' for cpu and '64Mi' or '1Gi' for memory " +
    '(kplus.Cpu.millis(n) and Size.mebibytes(n) need finite n below 1e21).',
  'is too large': 'Use a value a node can have, e.g. at most a few thousand cores or a few Ti.',
  'is negative': 'Use 0 or more.',
};

const REQUIRED_RESOURCES = ['cpu', 'memory'] as const;

/**
 * Every container needs cpu and memory requests and limits (each its own rule, so a policy can drop
 * cpu limits alone); every amount given, of any resource, must parse and a request must not exceed its limit.
 */
export function checkResources(problems: Problem[], container: string, path: string, resources: NonNullable<ContainerJson['resources']>): void {
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

/** Problems when the pod's effective limits exceed `budget`, naming the biggest containers. */
export function budgetProblems(spec: PodSpecJson, budget: ResourceAmounts): Problem[] {
  const limits = effectiveExact(spec, 'limits');
  const containers = containersOf(spec);
  const checks = [
    { resource: 'cpu', field: 'cpuMillis', unit: 'millicores', amount: (a: ExactAmounts) => a.millicores, format: formatMillicores, scale: 1 },
    { resource: 'memory', field: 'memoryMebibytes', unit: 'mebibytes', amount: (a: ExactAmounts) => a.bytes, format: formatBytes, scale: 2 ** 20 },
    { resource: 'ephemeral-storage', field: 'ephemeralStorageMebibytes', unit: 'mebibytes', amount: (a: ExactAmounts) => a.storageBytes, format: formatBytes, scale: 2 ** 20 },
  ] as const;
  return checks.flatMap(({ resource, field, unit, amount, format, scale }): Problem[] => {
    const given = budget[field];
    // Ephemeral storage is budgeted only where a budget gives it.
    if (given === undefined && field === 'ephemeralStorageMebibytes') return [];
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

/** Pattern containers given their own image but left on the pattern's busybox-sized resources. */
export function defaultResourcesProblems(patternContainers: readonly PatternContainer[]): Problem[] {
  return patternContainers
    .filter(({ sizedForDefaultImage }) => sizedForDefaultImage)
    .map(({ container }) => ({
      rule: 'default-resources',
      container: container.name,
      field: 'resources',
      value: container.image,
      message: `runs image '${container.image}' on its pattern's default resources, sized for busybox`,
      fix: 'Give `resources` measured for that image.',
    }));
}
