import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Interned } from '../kubernetes/interned';
import { addRestartRules, attach, helperOptions, HelperProps } from './attachment';
import { checkContainerOptions, checkPort, containerProps } from './container-defaults';
import { DefaultImage } from './default-image';
import { Resources } from './resources';
import { ContainerRole } from '../pod/pattern-containers';
import { exitOnTerm } from './shell';
import { describeValue } from '../kubernetes/values';

/** A service outside the pod the ambassador forwards to, e.g. one database shard. */
export interface AmbassadorUpstream {
  /** Names the upstream; the app finds its local address in env `<NAME>_ADDR` (e.g. `shard-0` → `SHARD_0_ADDR`). */
  readonly name: string;
  /**
   * Host name or IP, e.g. a Service's DNS name. Required by the default forwarder.
   * @default - none: your image knows where to forward (see `target`)
   */
  readonly host?: string;
  /**
   * TCP port on that host. Required by the default forwarder.
   * @default - none
   */
  readonly port?: number;
  /**
   * What only your image understands, e.g. a Cloud SQL instance name or a URL; recorded for the
   * runbook and `upstreamTargets`, passed to your image by your `args`. Not for the default forwarder.
   * @default - host:port
   */
  readonly target?: string;
}

export interface AmbassadorProps extends HelperProps {
  /** Where to forward; upstream `i` is reached on localhost at `firstPort + i`. */
  readonly upstreams: AmbassadorUpstream[];

  /**
   * The first local port the ambassador listens on.
   * @default 9000
   */
  readonly firstPort?: number;
}

/**
 * A local proxy the app reaches on `localhost`, forwarding to services outside the pod, so the app
 * needs no knowledge of where they are (the classic case: one port per database shard).
 * On the default image it runs a busybox `nc` forwarder per upstream, listening on the loopback
 * only; with your own `image` (envoy, haproxy, a cloud SQL proxy) the image's entrypoint runs with
 * your `args` and `upstreams` only name the local ports.
 */
export class Ambassador extends Construct {
  /** Requests 50m / 32Mi, limits 200m / 64Mi: a TCP forwarder bursts with its traffic. */
  public static readonly DEFAULT_RESOURCES = Resources.container({ cpuMillis: { request: 50, limit: 200 }, memoryMebibytes: { request: 32, limit: 64 } });

  /**
   * The busybox forwarder the ambassador runs on the default image: one `nc` listener per upstream
   * on 127.0.0.1, from `firstPort` on. For a busybox-based image of your own, pass it as `command`.
   */
  public static forwarderCommand(upstreams: AmbassadorUpstream[], firstPort = 9000): string[] {
    return ['sh', '-c', forwarderScript(upstreams.map((upstream, index) => ({ upstream, localPort: firstPort + index })))];
  }

  /** The ambassador's container. */
  public readonly container: kplus.Container;
  /** The name of the app container told where the upstreams are. */
  public readonly appContainer: string;
  /** The app container, when the workload is a cdk8s-plus-27 one (its containers are cdk8s-plus containers). */
  public readonly app?: kplus.Container;
  /** `localhost:PORT` per upstream name, as the app's env gets it. */
  public readonly localAddresses: Record<string, string> = {};

  constructor(scope: Construct, id: string, props: AmbassadorProps) {
    super(scope, id);
    const where = this.node.path;
    const { composition, app } = attach(where, props);
    const { workload, app: appOption, appContainer, podTemplatePath, mode, drainTime, restartOnExitCodes, restartPodOnExit, upstreams, firstPort: firstPortOption, ...options } = props;
    const defaultImage = DefaultImage.of(this);
    checkContainerOptions(where, options, defaultImage);
    if (options.port !== undefined) {
      throw new Error(`${where}: port is cdk8s-plus' deprecated name for portNumber. Give the first local port as firstPort, an extra port as portNumber.`);
    }
    const firstPort = checkPort(where, 'firstPort', firstPortOption ?? 9000);
    if (!Array.isArray(upstreams) || upstreams.length === 0) {
      throw new Error(`${where}: upstreams is ${describeValue(upstreams)}. Give an array of at least one { name, host, port } to forward to.`);
    }
    const defaultForwarder = (options.image ?? defaultImage) === defaultImage && options.command === undefined;
    const listeners = upstreams.map((upstream, index) => ({
      upstream: checkUpstream(where, upstream, defaultForwarder),
      localPort: checkPort(where, `local port for upstream '${upstream.name}' (firstPort + ${index})`, firstPort + index),
    }));
    const variables = listeners.map(({ upstream }) => addressVariable(upstream.name));
    variables.forEach((variable, index) => {
      const first = variables.indexOf(variable);
      if (first !== index) {
        throw new Error(
          `${where}: upstreams '${upstreams[first].name}' and '${upstreams[index].name}' both set env ${variable} in the app. ` +
            'Name them so they differ in letters or digits.',
        );
      }
    });

    this.appContainer = app;
    this.app = composition._declarations.host.containerObject(app);
    const ambassador = containerProps(where, options, {
      image: defaultImage,
      id,
      resources: Ambassador.DEFAULT_RESOURCES,
      defaultImageCommand: ['sh', '-c', forwarderScript(listeners)],
      ports: listeners.map(({ localPort }) => ({ number: localPort })),
    });
    // The kubelet's tcp probe dials the pod IP, which a loopback-only forwarder never answers:
    // the default forwarder is probed from inside: by its listening socket at start (up to 30 s) and
    // for readiness (the app cannot reach its upstreams without it), and alive while its nc runs.
    const port = listeners[0].localPort;
    const probes = defaultForwarder
      ? {
        startup: options.startup ?? listeningProbe(port, STARTING),
        readiness: options.readiness ?? listeningProbe(port),
        liveness: options.liveness ?? kplus.Probe.fromCommand(['pidof', 'nc']),
      }
      : {};
    this.container = composition._containers.add(this, ContainerRole.AMBASSADOR, Object.assign(ambassador.props, probes), helperOptions(where, props, ambassador));
    addRestartRules(this, composition, props, this.container.name);
    for (const [index, { upstream, localPort }] of listeners.entries()) {
      const address = `localhost:${localPort}`;
      this.localAddresses[upstream.name] = address;
      composition._env.set(this, this.appContainer, variables[index], address);
    }
  }

  /** The ports the ambassador listens on (one per upstream, then the user's `ports`), e.g. for a Service. */
  public get listenPorts(): number[] {
    return this.container.ports.map((p) => p.number);
  }
}

const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;

/** An upstream as the ambassador can use it; host and port are required where the forwarder uses them. */
function checkUpstream(where: string, upstream: AmbassadorUpstream, defaultForwarder: boolean): AmbassadorUpstream {
  if (typeof upstream !== 'object' || upstream === null || typeof upstream.name !== 'string' || upstream.name === '') {
    throw new Error(`${where}: upstream ${describeValue(upstream)} has no name. Give each upstream a name such as 'shard-0'.`);
  }
  if (!/[A-Za-z0-9]/.test(upstream.name)) {
    // The app finds the upstream by its env variable, named from the name's letters and digits.
    throw new Error(
      `${where}: upstream name '${upstream.name}' has no letter or digit, so it makes no env variable name (<NAME>_ADDR). ` +
        "Give a name with letters or digits, such as 'shard-0' (SHARD_0_ADDR).",
    );
  }
  const what = `upstream '${upstream.name}'`;
  if (defaultForwarder && upstream.target !== undefined) {
    throw new Error(
      `${where}: ${what} has target ${describeValue(upstream.target)}, which the default busybox forwarder cannot use. ` +
        'Give host and port, or your own proxy `image` and `args` that understand the target.',
    );
  }
  if (defaultForwarder || upstream.host !== undefined) {
    if (typeof upstream.host !== 'string' || !HOST_NAME.test(upstream.host)) {
      throw new Error(
        `${where}: host ${describeValue(upstream.host)} of ${what} is not a host name or IPv4 address. ` +
          (defaultForwarder
            ? "Give a DNS name such as 'orders-0.db.svc.cluster.local' or an address such as '10.0.0.5'."
            : `Pass what only your image understands (an instance name, a URL) as \`target\` instead: { name: '${upstream.name}', target: ${describeValue(upstream.host)} }, and give it to your image in \`args\`.`),
      );
    }
  }
  if (defaultForwarder || upstream.port !== undefined) checkPort(where, `port of ${what}`, upstream.port);
  return upstream;
}

const FORWARDER_SCRIPTS = new Interned<string>();

/**
 * One busybox `nc` listener per upstream, bound to 127.0.0.1 (the address after `-p` in listen
 * mode) so other pods cannot use the pod as an open proxy. The shell exits as soon as one of them
 * does, so a dead forwarder shows as a failed container that the kubelet restarts.
 */
function forwarderScript(listeners: { upstream: AmbassadorUpstream; localPort: number }[]): string {
  const forwards = listeners.map(
    ({ upstream, localPort }, index) =>
      `nc -ll -p ${localPort} 127.0.0.1 -e nc ${upstream.host} ${upstream.port} & pids="${index === 0 ? '' : '$pids '}$!"`,
  );
  // The forward lines are the whole input: pods that forward alike share one script string.
  return FORWARDER_SCRIPTS.of(forwards.join('\n'), () =>
    exitOnTerm([...forwards, 'while kill -0 $pids 2>/dev/null; do sleep 5 & wait $!; done', 'echo "ambassador: a forwarder exited" >&2; exit 1'].join('\n')),
  );
}

/** Succeeds once something listens on 127.0.0.1:`port` (state 0A in /proc/net/tcp, port in hex). */
function listeningProbe(port: number, options: kplus.ProbeOptions = {}): kplus.Probe {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return kplus.Probe.fromCommand(['grep', '-q', `:${hexPort} 00000000:0000 0A`, '/proc/net/tcp'], options);
}

/** While it starts: checked every second, for up to 30 s. */
const STARTING: kplus.ProbeOptions = { periodSeconds: Duration.seconds(1), failureThreshold: 30 };

/** `shard-0` → `SHARD_0_ADDR`. */
function addressVariable(upstreamName: string): string {
  return `${upstreamName.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_ADDR`;
}
