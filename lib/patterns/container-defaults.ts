import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { PatternContainerOptions, SidecarMode } from '../pod/pattern-containers';
import { PodComposition } from '../pod/pod-composition';
import { isPortNumber } from '../kubernetes/names';
import { describeValue } from '../checks/input';

// What every pattern container starts from: where it attaches, its image and command, its hardened
// security context, and the checks at the construct boundary.

/** Where a pattern attaches: the workload and the app container in it. */
export interface AttachmentProps {
  /**
   * The workload whose pods get the pattern: a Pod, Deployment, StatefulSet, DaemonSet, Job or
   * CronJob, also one defined in another chart.
   */
  readonly workload: kplus.AbstractPod;

  /**
   * The app container the pattern serves (volumes and env are wired into it).
   * @default - the workload's first container
   */
  readonly app?: kplus.Container;
}

/** Props of the long-running patterns (sidecar, ambassador, adapter): one container beside the app. */
export interface HelperProps extends AttachmentProps, ContainerOptions {
  /**
   * Classic (an app container) or native (an init container with restartPolicy Always).
   * @default - NATIVE when the workload's chart targets Kubernetes 1.29 or later (KubernetesTarget), else CLASSIC
   */
  readonly mode?: SidecarMode;

  /**
   * How long the helper needs between the pod's stop and its own (a log shipper flushing, a proxy
   * finishing connections): rendered as a preStop sleep (the sleep action on 1.30+, `sleep` in the
   * container before), and checked against the pod's terminationGracePeriodSeconds.
   * @default - none
   */
  readonly drainTime?: Duration;
}

/**
 * Capability names as Kubernetes and Pod Security Standards spell them. cdk8s-plus-27's Capability
 * enum has no 'ALL' and prefixes names with CAP_, which the "restricted" profile does not accept.
 * TypeScript and JavaScript only: no other language can pass a value its Capability enum lacks.
 */
export const CAPABILITY_ALL = 'ALL' as kplus.Capability;
/** The one capability "restricted" lets a container add: binding ports below 1024 (TypeScript and JavaScript only). */
export const CAPABILITY_NET_BIND_SERVICE = 'NET_BIND_SERVICE' as kplus.Capability;

/**
 * Security contexts of the Pod Security Standards "restricted" profile, as pattern containers get them.
 */
export class RestrictedSecurity {
  /**
   * The uid and gid pattern containers run as: `nobody` exists in busybox and most base images,
   * and a numeric non-root user is what lets a kubelet honour `runAsNonRoot` on images built as root.
   */
  public static readonly NON_ROOT_ID = 65534;

  /** The pod security context for pods built in this project's charts: non-root by uid, gid and fsGroup. */
  public static readonly POD: kplus.PodSecurityContextProps = {
    user: RestrictedSecurity.NON_ROOT_ID,
    group: RestrictedSecurity.NON_ROOT_ID,
    fsGroup: RestrictedSecurity.NON_ROOT_ID,
    ensureNonRoot: true,
  };

  /**
   * The container security context every pattern container gets, with the given fields overriding
   * it: non-root, read-only root filesystem, no privilege escalation, every capability dropped.
   * Opting out is explicit and per field: a field left out or `undefined` keeps its restricted value,
   * and so do `capabilities.drop` and `capabilities.add` one by one (`{ capabilities: { add:
   * [CAPABILITY_NET_BIND_SERVICE] } }` still drops ALL). A field given, e.g. `ensureNonRoot: false`
   * or `capabilities: { drop: [] }`, wins.
   */
  public static container(overrides: kplus.ContainerSecurityContextProps = {}): kplus.ContainerSecurityContextProps {
    const restricted: kplus.ContainerSecurityContextProps = {
      user: RestrictedSecurity.NON_ROOT_ID,
      group: RestrictedSecurity.NON_ROOT_ID,
      ensureNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: [CAPABILITY_ALL] },
    };
    const merged: Record<string, unknown> = { ...restricted };
    for (const [field, value] of Object.entries(overrides ?? {})) if (value !== undefined) merged[field] = value;
    const capabilities = overrides?.capabilities;
    if (capabilities !== undefined) merged.capabilities = { drop: capabilities.drop ?? restricted.capabilities?.drop, add: capabilities.add };
    return merged;
  }

  /**
   * Adds a container to `workload` with the restricted container context, the container's own
   * `securityContext` fields overriding it. From Python, Java and Go this is the way to drop every
   * capability: their cdk8s-plus-27 Capability enum has no 'ALL', so `container()` (and
   * `CAPABILITY_ALL`, which jsii leaves out) work from TypeScript and JavaScript only.
   */
  public static addContainer(workload: kplus.AbstractPod, props: kplus.ContainerProps): kplus.Container {
    return workload.addContainer({ ...props, securityContext: RestrictedSecurity.container(props.securityContext) });
  }

  private constructor() {}
}

/** The image pattern containers run when none is given: small, has sh, nc, awk, tail and httpd. */
export const DEFAULT_IMAGE = 'busybox:1.36';

/**
 * Options for one container a pattern adds. Any cdk8s-plus container prop can be given;
 * the pattern fills in what is left out.
 */
export interface ContainerOptions extends kplus.ContainerOpts {
  /**
   * Container image. With another image than the default, the pattern renders no `command` of its
   * own: the image's entrypoint runs, with your `args`.
   * @default 'busybox:1.36'
   */
  readonly image?: string;
}

/** What a pattern fills in when the user leaves it out. */
export interface ContainerDefaults {
  /** The pattern's construct id: the container is named after it (`LogShipper` → `log-shipper`) unless `name` is given. */
  readonly id: string;
  readonly resources: kplus.ContainerResources;
  /** The pattern's own busybox script: rendered only when the container runs the default image. */
  readonly defaultImageCommand?: string[];
  readonly envVariables?: Record<string, kplus.EnvValue>;
  /** Ports the pattern listens on; the user's `ports` are added to them. */
  readonly ports?: kplus.ContainerPort[];
}

/** A pattern container's props, and whether it runs another image on resources sized for busybox. */
export interface PatternContainerProps {
  readonly props: kplus.ContainerProps;
  readonly sizedForDefaultImage: boolean;
}

/**
 * Merges the user's options over a pattern's defaults. The image decides the command: the
 * pattern's script runs only on the default image; any other image keeps its entrypoint unless
 * `command` is given. Security fields merge one by one over the restricted defaults, so
 * `securityContext: { readOnlyRootFilesystem: false }` relaxes that field only; env variables
 * merge too, the user's winning; the user's ports are added to the pattern's.
 */
export function containerProps(where: string, options: ContainerOptions, defaults: ContainerDefaults): PatternContainerProps {
  const image = options.image ?? DEFAULT_IMAGE;
  const ports = options.ports === undefined && options.portNumber === undefined ? defaults.ports : mergedPorts(where, defaults.ports ?? [], options.ports ?? [], options.portNumber);
  // Object.assign rather than a spread-first literal: this runs once per container at scale.
  const props: kplus.ContainerProps = Object.assign({}, options, {
    name: options.name ?? containerNameFromId(defaults.id),
    image,
    command: options.command ?? (image === DEFAULT_IMAGE ? defaults.defaultImageCommand : undefined),
    resources: options.resources ?? defaults.resources,
    // A new object: cdk8s-plus keeps it and adds later variables to it.
    envVariables: defaults.envVariables || options.envVariables ? Object.assign({}, defaults.envVariables, options.envVariables) : undefined,
    ports,
    // Merged into ports: cdk8s-plus would add it again and refuse the port it finds there.
    portNumber: undefined,
    securityContext: RestrictedSecurity.container(options.securityContext),
  });
  return { props, sizedForDefaultImage: options.resources === undefined && image !== DEFAULT_IMAGE };
}

/**
 * The pattern's ports, then the user's `ports` and `portNumber`, each port once: declarations of
 * one number and protocol are the same port when their names are equal or one leaves the name out
 * (the name given is kept). Throws, naming the port, on a real conflict: one port, two names, or
 * one name, two ports.
 */
function mergedPorts(where: string, patternPorts: kplus.ContainerPort[], userPorts: kplus.ContainerPort[], portNumber: number | undefined): kplus.ContainerPort[] {
  const merged: kplus.ContainerPort[] = [];
  const given = portNumber === undefined ? userPorts : [...userPorts, { number: portNumber }];
  for (const port of [...patternPorts, ...given]) {
    const key = portKey(port);
    const at = merged.findIndex((p) => portKey(p) === key);
    if (at < 0) {
      merged.push(port);
      continue;
    }
    const same = merged[at];
    if (port.name !== undefined && same.name !== undefined && port.name !== same.name) {
      throw new Error(
        `${where}: port ${key} is declared twice with different names, '${same.name}' and '${port.name}'` +
          `${patternPorts.includes(same) ? " (the pattern listens on it already; your `ports` are added to the pattern's)" : ''}. ` +
          'Give it one name, or leave the name out in one of them.',
      );
    }
    if (same.name === undefined && port.name !== undefined) merged[at] = { ...same, ...port };
  }
  for (const [i, port] of merged.entries()) {
    const other = merged.slice(0, i).find((p) => port.name !== undefined && p.name === port.name);
    if (other) {
      throw new Error(
        `${where}: port name '${port.name}' is given to two ports, ${portKey(other)} and ${portKey(port)}; a container's port names must differ. ` +
          'Give each port its own name, or leave the name out.',
      );
    }
  }
  return merged;
}

/** A port as Kubernetes tells ports apart in a pod: number and protocol. */
function portKey(port: kplus.ContainerPort): string {
  return `${port.number}/${port.protocol ?? 'TCP'}`;
}

/** A DNS-1123 label from a construct id, so ids like `LogShipper` name containers `log-shipper`. */
export function containerNameFromId(id: string): string {
  return id
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * Where a pattern attaches, checked at the construct boundary so JavaScript callers get an error
 * naming the prop rather than a TypeError from inside: the workload's composition and the app.
 */
export function attach(where: string, props: AttachmentProps): { composition: PodComposition; app: kplus.Container } {
  if (typeof props !== 'object' || props === null) {
    throw new Error(`${where}: props is ${describeValue(props)}. Give an object with at least \`workload\`.`);
  }
  if (!(props.workload instanceof kplus.AbstractPod)) {
    throw new Error(
      `${where}: workload is ${describeValue(props.workload)}, not a cdk8s-plus-27 workload. ` +
        'Give a Pod, Deployment, StatefulSet, DaemonSet, Job or CronJob from cdk8s-plus-27.',
    );
  }
  if (props.app !== undefined && !(props.app instanceof kplus.Container)) {
    throw new Error(`${where}: app is ${describeValue(props.app)}, not a container. Give a container returned by workload.addContainer.`);
  }
  const composition = PodComposition.of(props.workload);
  return { composition, app: composition._appContainer(where, props.app) };
}

/** Checks the container options a JavaScript caller could get wrong, naming the prop and the fix. */
export function checkContainerOptions(where: string, options: ContainerOptions): void {
  for (const prop of ['name', 'image'] as const) {
    if (options[prop] !== undefined && typeof options[prop] !== 'string') {
      throw new Error(`${where}: ${prop} is ${describeValue(options[prop])}, not a string. Give a string, e.g. ${prop === 'image' ? "'busybox:1.36'" : "'log-shipper'"}.`);
    }
  }
  for (const prop of ['command', 'args'] as const) {
    if (options[prop] !== undefined && !isStringArray(options[prop])) {
      throw new Error(`${where}: ${prop} is ${describeValue(options[prop])}, not an array of strings. Give e.g. ['sh', '-c', 'echo hi'].`);
    }
  }
  const command = options.command;
  if (command !== undefined && command.length > 0 && command[0].trim() === '') {
    throw new Error(`${where}: command is ${describeValue(command)}, whose program name is blank, which no runtime can execute. Give the program first, e.g. ['sh', '-c', 'tail -F /var/log/app/app.log'].`);
  }
  // Kubernetes reads an empty command as none: on busybox without args, sh runs and exits at once.
  if (command !== undefined && command.length === 0 && options.args === undefined && (options.image ?? DEFAULT_IMAGE) === DEFAULT_IMAGE) {
    throw new Error(
      `${where}: command is [], which Kubernetes reads as none, so busybox's sh would run and exit at once. ` +
        "Leave command out (a pattern runs its own script), or give the program to run, e.g. ['sh', '-c', 'tail -F /var/log/app/app.log'].",
    );
  }
  if (options.ports !== undefined && !Array.isArray(options.ports)) {
    throw new Error(`${where}: ports is ${describeValue(options.ports)}, not an array. Give e.g. [{ number: 9100 }].`);
  }
  for (const port of options.ports ?? []) checkPort(where, 'port number', port?.number);
}

function isStringArray(value: unknown): boolean {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** What a prop holds, for checking what JavaScript callers pass. */
export type PropKind = 'string' | 'boolean' | 'duration' | 'mode';

const PROP_KINDS: Record<PropKind, { test: (value: unknown) => boolean; example: string }> = {
  string: { test: (v) => typeof v === 'string', example: "a string such as '/var/log/app'" },
  boolean: { test: (v) => typeof v === 'boolean', example: 'true or false' },
  duration: { test: (v) => v instanceof Duration, example: 'a Duration such as Duration.seconds(5)' },
  mode: { test: (v) => Object.values(SidecarMode).includes(v as SidecarMode), example: 'SidecarMode.CLASSIC or SidecarMode.NATIVE' },
};

/** Throws, naming the prop, when a prop that is set holds the wrong kind of value. */
export function checkPropKinds(where: string, props: object, kinds: Record<string, PropKind>): void {
  for (const prop in kinds) {
    const value = (props as Record<string, unknown>)[prop];
    if (value !== undefined && !PROP_KINDS[kinds[prop]].test(value)) {
      throw new Error(`${where}: ${prop} is ${describeValue(value)}. Give ${PROP_KINDS[kinds[prop]].example}.`);
    }
  }
}

/** Throws unless `port` is a TCP/UDP port number (an integer from 1 to 65535, not a string). */
export function checkPort(where: string, what: string, port: unknown): number {
  if (!isPortNumber(port)) {
    throw new Error(`${where}: ${what} is ${describeValue(port)}, not a port. Give an integer from 1 to 65535.`);
  }
  return port;
}

/** How a long-running helper is added: its mode, whether it is sized for busybox, how long it drains. */
export function helperOptions(where: string, props: HelperProps, container: PatternContainerProps): PatternContainerOptions {
  checkPropKinds(where, props, { mode: 'mode', drainTime: 'duration' });
  if (props.drainTime !== undefined && props.lifecycle?.preStop !== undefined) {
    throw new Error(`${where}: both drainTime and lifecycle.preStop are given, and drainTime is rendered as the preStop hook. Keep one of them.`);
  }
  const drainSeconds = props.drainTime === undefined ? undefined : wholeSeconds(where, 'drainTime', props.drainTime);
  return { mode: props.mode, sizedForDefaultImage: container.sizedForDefaultImage, drainSeconds };
}

/** Request and limit of one resource; a limit left out is not rendered (see RulePolicy for the cpu-limit rule). */
export interface RequestAndLimit {
  readonly request: number;
  readonly limit?: number;
}

/** A container's requests and limits in the units users write in YAML: millicores and mebibytes. */
export interface ContainerResourceAmounts {
  /** Cpu in millicores (`100` renders as `100m`). */
  readonly cpuMillis: RequestAndLimit;
  /** Memory in mebibytes (`64` renders as `64Mi`). */
  readonly memoryMebibytes: RequestAndLimit;
}

/** Container requests and limits in the units users write in YAML. */
export class Resources {
  /**
   * Requests and limits for one container, named so a call reads like the manifest it produces:
   * `Resources.container({ cpuMillis: { request: 50, limit: 100 }, memoryMebibytes: { request: 32, limit: 64 } })`.
   */
  public static container(amounts: ContainerResourceAmounts): kplus.ContainerResources {
    const { cpuMillis: cpu, memoryMebibytes: memory } = amounts;
    return {
      cpu: { request: kplus.Cpu.millis(cpu.request), limit: cpu.limit === undefined ? undefined : kplus.Cpu.millis(cpu.limit) },
      memory: { request: Size.mebibytes(memory.request), limit: memory.limit === undefined ? undefined : Size.mebibytes(memory.limit) },
    };
  }

  private constructor() {}
}

/** A duration as the whole number of seconds (at least 1) Kubernetes fields take, or a clear error. */
export function wholeSeconds(where: string, prop: string, duration: Duration): number {
  const millis = duration.toMilliseconds();
  if (!Number.isInteger(millis) || millis < 1000 || millis % 1000 !== 0) {
    throw new Error(`${where}: ${prop} is ${millis} ms. Give a whole number of seconds, at least 1, e.g. Duration.seconds(5).`);
  }
  return millis / 1000;
}
