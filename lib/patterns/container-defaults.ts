import * as kplus from 'cdk8s-plus-27';
import { describeValue } from '../kubernetes/values';
import { isPortNumber } from '../kubernetes/names';
import { RequestAndLimit } from '../kubernetes/pod-resources';
import { checkStorage } from '../pod/pod-settings';
import { Resources } from './resources';
import { RestrictedSecurity } from './restricted-security';

// What every pattern container starts from: its image and command, its hardened security context,
// its ports, and the checks of the container options a JavaScript caller could get wrong.

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
   * @default - DefaultImage.of(the pattern): 'busybox:1.36' unless DefaultImage.set says otherwise
   */
  readonly image?: string;

  /**
   * Local ephemeral storage (the container's writable layer and logs) in whole mebibytes, rendered
   * as its `ephemeral-storage` request and limit (cdk8s-plus-27's own `resources.ephemeralStorage`
   * takes whole gibibytes only; one given there wins).
   * @default - Resources.DEFAULT_EPHEMERAL_STORAGE: requests 64, limits 256
   */
  readonly ephemeralStorageMebibytes?: RequestAndLimit;
}

/** What a pattern fills in when the user leaves it out. */
export interface ContainerDefaults {
  /** The image its script runs on (DefaultImage.of the pattern): with another image, no script is rendered. */
  readonly image: string;
  /** The pattern's construct id: the container is named after it (`LogShipper` → `log-shipper`) unless `name` is given. */
  readonly id: string;
  readonly resources: kplus.ContainerResources;
  /** The pattern's own busybox script: rendered only when the container runs the default image. */
  readonly defaultImageCommand?: string[];
  readonly envVariables?: Record<string, kplus.EnvValue>;
  /** Ports the pattern listens on; the user's `ports` are added to them. */
  readonly ports?: kplus.ContainerPort[];
}

/** A pattern container's props, whether it runs another image on resources sized for busybox, and its ephemeral storage. */
export interface PatternContainerProps {
  readonly props: kplus.ContainerProps;
  readonly sizedForDefaultImage: boolean;
  readonly ephemeralStorage: RequestAndLimit;
}

/**
 * Merges the user's options over a pattern's defaults. The image decides the command: the
 * pattern's script runs only on the default image; any other image keeps its entrypoint unless
 * `command` is given. Security fields merge one by one over the restricted defaults, so
 * `securityContext: { readOnlyRootFilesystem: false }` relaxes that field only; env variables
 * merge too, the user's winning; the user's ports are added to the pattern's.
 */
export function containerProps(where: string, options: ContainerOptions, defaults: ContainerDefaults): PatternContainerProps {
  const image = options.image ?? defaults.image;
  const ports = options.ports === undefined && options.portNumber === undefined ? defaults.ports : mergedPorts(where, defaults.ports ?? [], options.ports ?? [], options.portNumber);
  // Object.assign rather than a spread-first literal: this runs once per container at scale.
  const props: kplus.ContainerProps = Object.assign({}, options, {
    name: options.name ?? containerNameFromId(defaults.id),
    image,
    command: options.command ?? (image === defaults.image ? defaults.defaultImageCommand : undefined),
    resources: options.resources ?? defaults.resources,
    // A new object: cdk8s-plus keeps it and adds later variables to it.
    envVariables: defaults.envVariables || options.envVariables ? Object.assign({}, defaults.envVariables, options.envVariables) : undefined,
    ports,
    // Merged into ports: cdk8s-plus would add it again and refuse the port it finds there.
    portNumber: undefined,
    securityContext: RestrictedSecurity.container(options.securityContext),
    // Rendered by the library in mebibytes, not by cdk8s-plus.
    ephemeralStorageMebibytes: undefined,
  });
  const ephemeralStorage = checkStorage(`${where}: ephemeralStorageMebibytes`, options.ephemeralStorageMebibytes ?? Resources.DEFAULT_EPHEMERAL_STORAGE);
  return { props, sizedForDefaultImage: options.resources === undefined && image !== defaults.image, ephemeralStorage };
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

/** Checks the container options a JavaScript caller could get wrong, naming the prop and the fix. */
export function checkContainerOptions(where: string, options: ContainerOptions, defaultImage: string): void {
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
  if (command !== undefined && command.length === 0 && options.args === undefined && (options.image ?? defaultImage) === defaultImage) {
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

/** Throws unless `port` is a TCP/UDP port number (an integer from 1 to 65535, not a string). */
export function checkPort(where: string, what: string, port: unknown): number {
  if (!isPortNumber(port)) {
    throw new Error(`${where}: ${what} is ${describeValue(port)}, not a port. Give an integer from 1 to 65535.`);
  }
  return port;
}
