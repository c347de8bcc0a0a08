import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { HelperProps } from './attachment';
import { containerNameFromId, containerProps } from './container-options';
import { ContainerRole, PodComposition } from './pod-composition';
import { containerResources } from './resources';

/** Requests 50m / 32Mi, limits 200m / 64Mi: a TCP forwarder bursts with its traffic. */
export const AMBASSADOR_RESOURCES = containerResources(50, 200, 32, 64);

/** A service outside the pod the ambassador forwards to, e.g. one database shard. */
export interface AmbassadorUpstream {
  /** Names the upstream; the app finds its local address in env `<NAME>_ADDR` (e.g. `shard-0` → `SHARD_0_ADDR`). */
  readonly name: string;
  /** Host name or IP, e.g. a Service's DNS name. */
  readonly host: string;
  /** TCP port on that host. */
  readonly port: number;
}

export interface AmbassadorProps extends HelperProps {
  /** Where to forward; upstream `i` is reached on localhost at `port + i`. */
  readonly upstreams: AmbassadorUpstream[];

  /**
   * The first local port the ambassador listens on.
   * @default 9000
   */
  readonly port?: number;
}

/**
 * A local proxy the app reaches on `localhost`, forwarding to services outside the pod, so the app
 * needs no knowledge of where they are (the classic case: one port per database shard).
 * The default command is a busybox `nc` forwarder per upstream;
 * give `image` and `command` to run a real proxy instead.
 */
export class Ambassador extends Construct {
  /** The ambassador's container. */
  public readonly container: kplus.Container;
  /** The app container told where the upstreams are. */
  public readonly app: kplus.Container;
  /** `localhost:PORT` per upstream name, as the app's env gets it. */
  public readonly localAddresses: Record<string, string> = {};

  constructor(scope: Construct, id: string, props: AmbassadorProps) {
    super(scope, id);
    const { workload, app, mode, upstreams, port: firstPort = 9000, ...options } = props;
    if (!upstreams || upstreams.length === 0) {
      throw new Error(`${this.node.path}: upstreams is empty. Give at least one { name, host, port } to forward to.`);
    }
    const listeners = upstreams.map((upstream, index) => ({ upstream, localPort: firstPort + index }));
    for (const { upstream, localPort } of listeners) {
      if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(upstream.host ?? '')) {
        throw new Error(
          `${this.node.path}: host '${upstream.host}' of upstream '${upstream.name}' is not a host name or IPv4 address. ` +
            "Give a DNS name such as 'orders-0.db.svc.cluster.local' or an address such as '10.0.0.5'.",
        );
      }
      checkPort(this.node.path, `local port for upstream '${upstream.name}'`, localPort);
      checkPort(this.node.path, `port of upstream '${upstream.name}'`, upstream.port);
    }
    const composition = PodComposition.of(workload);
    this.app = composition.appContainer(this.node.path, app);
    this.container = composition.addPatternContainer(
      this,
      ContainerRole.AMBASSADOR,
      containerProps(
        { ports: listeners.map(({ localPort }) => ({ number: localPort })), ...options },
        {
          name: containerNameFromId(id),
          resources: AMBASSADOR_RESOURCES,
          command: ['sh', '-c', forwarderScript(listeners)],
        },
      ),
      mode,
    );
    for (const { upstream, localPort } of listeners) {
      const address = `localhost:${localPort}`;
      this.localAddresses[upstream.name] = address;
      this.app.env.addVariable(addressVariable(upstream.name), kplus.EnvValue.fromValue(address));
    }
  }
}

/**
 * One busybox `nc` listener per upstream. The shell exits as soon as one of them does, so a dead
 * forwarder shows as a failed container that the kubelet restarts rather than a silent gap.
 * (Debian's busybox lacks `nc -s`, so listeners bind all pod addresses, not only 127.0.0.1.)
 */
function forwarderScript(listeners: { upstream: AmbassadorUpstream; localPort: number }[]): string {
  const forwards = listeners.map(
    ({ upstream, localPort }, index) =>
      `nc -ll -p ${localPort} -e nc ${upstream.host} ${upstream.port} & pids="${index === 0 ? '' : '$pids '}$!"`,
  );
  return [
    ...forwards,
    'while kill -0 $pids 2>/dev/null; do sleep 5; done',
    'echo "ambassador: a forwarder exited" >&2; exit 1',
  ].join('\n');
}

/** Throws unless `port` is a TCP port number. */
function checkPort(path: string, what: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${path}: ${what} is ${port}, out of range. Use a port from 1 to 65535 (the first local port is \`port\`, default 9000).`);
  }
}

/** `shard-0` → `SHARD_0_ADDR`. */
function addressVariable(upstreamName: string): string {
  return `${upstreamName.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_ADDR`;
}
