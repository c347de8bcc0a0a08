import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { KubernetesFeature, KubernetesVersion } from '../kubernetes/kubernetes-target';
import { ContainerJson, containersOf, named, PodSpecJson } from '../kubernetes/manifest';
import { EPHEMERAL_STORAGE, RequestAndLimit } from '../kubernetes/pod-resources';
import { PodHost } from './pod-host';

/** The part a container plays in a multi-container pod. */
export enum ContainerRole {
  /** The workload's own container that the patterns serve. */
  APP = 'app',
  /** Runs to completion before the app starts. */
  INIT = 'init',
  /** Runs beside the app and extends it. */
  SIDECAR = 'sidecar',
  /** A local proxy the app reaches on localhost. */
  AMBASSADOR = 'ambassador',
  /** Turns the app's output into a standard form. */
  ADAPTER = 'adapter',
}

/** How a long-running helper (sidecar, ambassador, adapter) is rendered. */
export enum SidecarMode {
  /** A plain app container: works on every Kubernetes version, but starts in no guaranteed order and keeps a Job running. */
  CLASSIC = 'classic',
  /**
   * An init container with `restartPolicy: Always` (Kubernetes 1.29+): starts before the app, in
   * declared order (gated by its startupProbe), stops after it, and lets a Job complete.
   */
  NATIVE = 'native',
}

/** One container a pattern added, in the order it was added. */
export interface PatternContainer {
  readonly role: ContainerRole;
  readonly container: kplus.Container;
  /** Construct path of the pattern that added it, for error messages. */
  readonly addedBy: string;
  /** The mode asked for; undefined for init steps, and for helpers that follow the chart's target. */
  readonly requestedMode?: SidecarMode;
  /** Whether it runs another image than the default on resources its pattern sized for busybox. */
  readonly sizedForDefaultImage: boolean;
  /** How many init containers the pod had (of the patterns', for a JSON pod) when it was added: where a native sidecar goes. */
  readonly initContainersBefore: number;
  /** Seconds it drains before it gets SIGTERM, or undefined. */
  readonly drainSeconds?: number;
  /** Its local ephemeral storage in mebibytes, rendered unless its resources give some already. */
  readonly ephemeralStorage?: RequestAndLimit;
  /** The log file it follows, as its own mounts show it, if it follows one. */
  readonly followedLog?: string;
}

/** What a pattern adds to a workload: a container, how it runs, and who sized it. */
export interface PatternContainerOptions {
  /** Classic or native; only for long-running helpers. @default - native where the chart targets 1.29+, else classic */
  readonly mode?: SidecarMode;
  /** Whether it runs another image than the default on the pattern's busybox-sized resources. @default false */
  readonly sizedForDefaultImage?: boolean;
  /** Seconds it needs between the stop signal and exit (flushing, finishing connections). @default - none */
  readonly drainSeconds?: number;
  /** Its local ephemeral storage in mebibytes. @default - none rendered */
  readonly ephemeralStorage?: RequestAndLimit;
  /** The log file it follows (checked to be in a bounded directory). @default - none */
  readonly followedLog?: string;
}

/** A pattern container as recorded: the pattern's path is read from the construct when a message needs it. */
class AddedContainer implements PatternContainer {
  public readonly requestedMode?: SidecarMode;
  public readonly sizedForDefaultImage: boolean;
  public readonly drainSeconds?: number;
  public readonly ephemeralStorage?: RequestAndLimit;
  public readonly followedLog?: string;

  constructor(
    public readonly role: ContainerRole,
    public readonly container: kplus.Container,
    private readonly pattern: IConstruct,
    options: PatternContainerOptions,
    public readonly initContainersBefore: number,
  ) {
    this.requestedMode = options.mode;
    this.sizedForDefaultImage = options.sizedForDefaultImage ?? false;
    this.drainSeconds = options.drainSeconds;
    this.ephemeralStorage = options.ephemeralStorage;
    this.followedLog = options.followedLog;
  }

  public get addedBy(): string {
    return this.pattern.node.path;
  }
}

/**
 * The containers patterns added to one workload, in order. Init steps are init containers at once;
 * long-running helpers are app containers until the pod renders, when the target decides their mode.
 */
export class PatternContainers {
  private readonly added: PatternContainer[] = [];

  constructor(private readonly host: PodHost) {}

  /** Every pattern container, in the order added. */
  public get all(): readonly PatternContainer[] {
    return this.added;
  }

  /** The record of the pattern container named `name`, if a pattern added it. */
  public find(name: string): PatternContainer | undefined {
    for (const added of this.added) if (added.container.name === name) return added;
    return undefined;
  }

  /**
   * Adds `props` as a container of the workload's pod for `pattern`; returns the container. Refuses a name a
   * pattern gave a container of this pod already (a clash with the pod's own containers is a rule, checked at
   * synth, when every container is known).
   */
  public add(pattern: IConstruct, role: ContainerRole, props: kplus.ContainerProps, options: PatternContainerOptions): kplus.Container {
    const taken = props.name === undefined ? undefined : this.find(props.name);
    if (taken) {
      const by = taken.addedBy === pattern.node.path ? 'this pattern' : taken.addedBy;
      throw new Error(
        `${pattern.node.path}: container name '${props.name}' is taken in the pod of ${this.host.path}, by ${by}. ` +
          'Give one of the two containers another `name`: names are unique across init and app containers.',
      );
    }
    const initContainersBefore = this.host.initContainerCount();
    const container = this.host.addContainer(props, role === ContainerRole.INIT);
    this.added.push(new AddedContainer(role, container, pattern, options, initContainersBefore));
    return container;
  }

  /**
   * Places native sidecars among the init containers, where they were declared, and renders drains
   * as preStop hooks.
   */
  public render(spec: PodSpecJson, target: KubernetesVersion): void {
    const offset = this.host.initOffset(spec);
    let placed = 0;
    for (const added of this.added) {
      if (modeUnder(added, target) !== SidecarMode.NATIVE) continue;
      const sidecar = named(spec.containers, added.container.name);
      if (!sidecar) continue;
      spec.containers.splice(spec.containers.indexOf(sidecar), 1);
      makeNativeSidecar(sidecar);
      spec.initContainers = spec.initContainers ?? [];
      spec.initContainers.splice(offset + added.initContainersBefore + placed, 0, sidecar);
      placed += 1;
    }
    const sleepAction = target.supports(KubernetesFeature.PRESTOP_SLEEP);
    const rendered = containersOf(spec);
    for (const { container, drainSeconds, ephemeralStorage } of this.added) {
      const json = named(rendered, container.name);
      if (!json) continue;
      if (drainSeconds !== undefined) renderDrain(json, drainSeconds, sleepAction);
      if (ephemeralStorage) renderEphemeralStorage(json, ephemeralStorage);
    }
  }
}

/** How a pattern container renders under `target`; undefined for init steps. */
export function modeUnder(added: PatternContainer, target: KubernetesVersion): SidecarMode | undefined {
  if (added.role === ContainerRole.INIT) return undefined;
  return added.requestedMode ?? (target.supportsNativeSidecars ? SidecarMode.NATIVE : SidecarMode.CLASSIC);
}

/**
 * Turns a rendered container into a native sidecar. One that listens gets a startupProbe on its
 * first TCP port unless it has one, so the containers after it (the app included) start only once it
 * accepts connections.
 */
function makeNativeSidecar(container: ContainerJson): void {
  container.restartPolicy = 'Always';
  // A tcp probe can only tell a TCP listener is up: a UDP or SCTP port is left to the user's probe.
  const port = container.ports?.find((p) => p.protocol === undefined || p.protocol === 'TCP')?.containerPort;
  if (port !== undefined && container.startupProbe === undefined) {
    container.startupProbe = { tcpSocket: { port }, periodSeconds: 1, failureThreshold: 30 };
  }
}

/**
 * Makes a helper wait `seconds` before it gets SIGTERM, so it can flush or finish connections:
 * the preStop sleep action where the target has it, else `sleep` run in the container.
 */
function renderDrain(container: ContainerJson, seconds: number, sleepAction: boolean): void {
  container.lifecycle = {
    ...(container.lifecycle as Record<string, unknown> | undefined),
    preStop: sleepAction ? { sleep: { seconds } } : { exec: { command: ['sleep', String(seconds)] } },
  };
}

/**
 * Sets a container's `ephemeral-storage` request and limit, in mebibytes, unless its resources give
 * either already (what the user gave through cdk8s-plus wins).
 */
export function renderEphemeralStorage(container: ContainerJson, amounts: RequestAndLimit): void {
  const resources = (container.resources ??= {});
  if (resources.requests?.[EPHEMERAL_STORAGE] !== undefined || resources.limits?.[EPHEMERAL_STORAGE] !== undefined) return;
  // Set in place (each render's manifest is its own): a copy with a computed key costs a slow path per container.
  (resources.requests ??= {})[EPHEMERAL_STORAGE] = `${amounts.request}Mi`;
  if (amounts.limit !== undefined) (resources.limits ??= {})[EPHEMERAL_STORAGE] = `${amounts.limit}Mi`;
}
