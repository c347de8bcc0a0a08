import { ContainerJson, isNativeSidecar, MetadataJson, PodSpecJson } from './manifest';

/**
 * The rules a pod must meet before it is written, checked on the rendered manifest so they see
 * exactly what kubectl would get. Each problem names the offending value and how to fix it.
 */

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** registry/path:tag@digest, lower-case path, as the container runtime parses references. */
const IMAGE_REFERENCE =
  /^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$/;

/** Problems of one container on its own. `runsToCompletion` is true for init containers that are not native sidecars. */
export function containerProblems(container: ContainerJson, runsToCompletion: boolean): string[] {
  const problems: string[] = [];
  const where = `container '${container.name}'`;
  if (!DNS_1123_LABEL.test(container.name) || container.name.length > 63) {
    problems.push(
      `${where}: name is not a DNS-1123 label. Use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit.`,
    );
  }
  problems.push(...imageProblems(where, container.image ?? ''));
  problems.push(...envProblems(where, container.env ?? []));
  problems.push(...resourceProblems(where, container.resources ?? {}));
  problems.push(...mountPathProblems(where, container.volumeMounts ?? []));
  if (runsToCompletion) {
    for (const field of ['startupProbe', 'readinessProbe', 'livenessProbe', 'lifecycle'] as const) {
      if (container[field] !== undefined) {
        problems.push(
          `${where}: an init container that runs to completion cannot have ${field}. ` +
            'Remove it (a port given as portNumber adds a startup probe: use ports instead), or make it a native sidecar.',
        );
      }
    }
  }
  return problems;
}

/** Problems across the pod: names, ports and volumes shared by all containers, and each container's. */
export function podSpecProblems(spec: PodSpecJson): string[] {
  const initContainers = spec.initContainers ?? [];
  const problems = [
    ...initContainers.flatMap((c) => containerProblems(c, !isNativeSidecar(c))),
    ...spec.containers.flatMap((c) => containerProblems(c, false)),
  ];
  const all = [...initContainers, ...spec.containers];

  for (const name of duplicates(all.map((c) => c.name))) {
    problems.push(`container name '${name}' is used twice. Give each init and app container a name of its own.`);
  }

  // Run-to-completion init containers never run beside the others, so only these share ports.
  const concurrent = [...initContainers.filter(isNativeSidecar), ...spec.containers];
  const portOwners = new Map<number, string[]>();
  for (const c of concurrent) {
    for (const port of c.ports ?? []) {
      portOwners.set(port.containerPort, [...(portOwners.get(port.containerPort) ?? []), c.name]);
    }
  }
  for (const [port, owners] of portOwners) {
    if (owners.length > 1) {
      problems.push(
        `port ${port} is declared by containers ${owners.map((o) => `'${o}'`).join(' and ')}, which share the pod's localhost. ` +
          'Give each container its own port (e.g. the ambassador `port` prop or the adapter `metricsPort`).',
      );
    }
  }

  const portNames = all.flatMap((c) => (c.ports ?? []).map((p) => p.name).filter((n): n is string => n !== undefined));
  for (const name of portNames) {
    if (!PORT_NAME.test(name) || name.length > 15) {
      problems.push(`port name '${name}' is invalid. Use at most 15 lower-case letters, digits and '-', with at least one letter.`);
    }
  }
  for (const name of duplicates(portNames)) {
    problems.push(`port name '${name}' is used twice in the pod. Give each named port a name of its own.`);
  }

  const volumes = new Set((spec.volumes ?? []).map((v) => v.name));
  for (const c of all) {
    for (const mount of c.volumeMounts ?? []) {
      if (!volumes.has(mount.name)) {
        problems.push(
          `container '${c.name}' mounts volume '${mount.name}' at ${mount.mountPath}, which the pod does not have. ` +
            'Mount the volume through container.mount(path, volume) so it is added to the pod, or add it with addVolume.',
        );
      }
    }
  }
  return problems;
}

/** Problems of labels and annotations on one object or pod template. */
export function metadataProblems(where: string, metadata: MetadataJson): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(metadata.labels ?? {})) {
    problems.push(...qualifiedNameProblems(`${where} label`, key));
    if (value.length > 63 || (value !== '' && !LABEL_NAME.test(value))) {
      problems.push(
        `${where} label '${key}' has value '${value}', which is not a label value. ` +
          "Use at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit.",
      );
    }
  }
  for (const key of Object.keys(metadata.annotations ?? {})) {
    problems.push(...qualifiedNameProblems(`${where} annotation`, key));
  }
  return problems;
}

/** Advice that does not stop synth: images that can change under the same name. */
export function imageWarnings(spec: PodSpecJson): string[] {
  return [...(spec.initContainers ?? []), ...spec.containers]
    .filter((c) => c.image?.trim() && !c.image.includes('@') && (!hasTag(c.image) || c.image.endsWith(':latest')))
    .map(
      (c) =>
        `container '${c.name}' uses image '${c.image}', which can change under the same name. ` +
        "Pin a tag (e.g. 'busybox:1.36') or a digest ('busybox@sha256:...').",
    );
}

function hasTag(image: string): boolean {
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  return lastPart.includes(':');
}

function imageProblems(where: string, image: string): string[] {
  if (image.trim() === '') {
    return [`${where}: image is empty. Give an image reference such as 'busybox:1.36'.`];
  }
  if (!IMAGE_REFERENCE.test(image)) {
    return [
      `${where}: image '${image}' is not a valid image reference. ` +
        "Use [registry/]name[:tag][@digest] with a lower-case name, e.g. 'registry.example.com/team/app:1.2.3'.",
    ];
  }
  return [];
}

function envProblems(where: string, env: { name: string }[]): string[] {
  const problems = env
    .filter(({ name }) => !ENV_NAME.test(name))
    .map(
      ({ name }) =>
        `${where}: env name '${name}' is invalid. Use letters, digits, '_', '-' and '.', not starting with a digit.`,
    );
  for (const name of duplicates(env.map((e) => e.name))) {
    problems.push(`${where}: env '${name}' is set twice. Set each variable once (patterns add HANDOFF_DIR and <UPSTREAM>_ADDR).`);
  }
  return problems;
}

function resourceProblems(where: string, resources: NonNullable<ContainerJson['resources']>): string[] {
  const problems: string[] = [];
  for (const resource of ['cpu', 'memory']) {
    const request = resources.requests?.[resource];
    const limit = resources.limits?.[resource];
    for (const [kind, value] of [['request', request], ['limit', limit]] as const) {
      if (value === undefined) {
        problems.push(
          `${where}: ${resource} ${kind} is missing. Give resources.${resource} a request and a limit (the patterns' defaults are documented in the README).`,
        );
      }
    }
    if (request !== undefined && limit !== undefined && quantity(request) > quantity(limit)) {
      problems.push(
        `${where}: ${resource} request ${request} is above its limit ${limit}. Lower the request or raise the limit.`,
      );
    }
  }
  return problems;
}

function mountPathProblems(where: string, mounts: { name: string; mountPath: string }[]): string[] {
  return duplicates(mounts.map((m) => m.mountPath)).map(
    (path) => `${where}: two volumes are mounted at ${path}. Mount each path once (patterns share one emptyDir per path).`,
  );
}

function qualifiedNameProblems(where: string, key: string): string[] {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const badPrefix = prefix !== undefined && (prefix.length > 253 || !DNS_1123_SUBDOMAIN.test(prefix));
  if (badPrefix || name.length > 63 || !LABEL_NAME.test(name)) {
    return [
      `${where} key '${key}' is invalid. Use an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' and '.', ` +
        "starting and ending with a letter or digit (e.g. 'app.kubernetes.io/name').",
    ];
  }
  return [];
}

const QUANTITY_SUFFIXES: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A Kubernetes quantity in base units (cores, bytes), for comparing a request with its limit. */
export function quantity(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = /^([0-9.]+(?:[eE][-+]?[0-9]+)?)([a-zA-Z]*)$/.exec(value.trim());
  const factor = match ? QUANTITY_SUFFIXES[match[2]] : undefined;
  return match && factor !== undefined ? parseFloat(match[1]) * factor : NaN;
}

function duplicates(values: string[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const value of values) (seen.has(value) ? repeated : seen).add(value);
  return [...repeated];
}
