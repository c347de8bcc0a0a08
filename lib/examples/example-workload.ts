import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PodComposition } from '../composition/pod-composition';
import { DEFAULT_IMAGE } from '../patterns/container-defaults';
import { Resources } from '../patterns/resources';
import { RestrictedSecurity } from '../patterns/restricted-security';
import { runUntilTerm } from '../patterns/shell';

/** Requests 50m / 32Mi, limits 100m / 64Mi: the examples' shell apps. */
export const EXAMPLE_APP_RESOURCES = Resources.container({ cpuMillis: { request: 50, limit: 100 }, memoryMebibytes: { request: 32, limit: 64 } });

/** Ephemeral storage of the examples' own containers, in mebibytes: their logs and little else on a read-only root. */
export const EXAMPLE_APP_STORAGE = { request: 32, limit: 128 };

/**
 * Gives every container of the examples' own under `scope` (those no pattern added) its ephemeral
 * storage in mebibytes, which cdk8s-plus-27 cannot (whole gibibytes only): the examples size disk like
 * memory, every container of theirs included.
 */
export function sizeOwnStorage(scope: Construct): void {
  for (const workload of scope.node.findAll().filter((c): c is kplus.AbstractPod => c instanceof kplus.AbstractPod)) {
    const composition = PodComposition.attachTo(workload);
    const added = composition.patternContainers.map((p) => p.container);
    for (const container of [...workload.initContainers, ...workload.containers]) {
      if (!added.includes(container)) composition.sizeEphemeralStorage(container.name, EXAMPLE_APP_STORAGE);
    }
  }
}

/** A container of an example, hardened and sized like the pattern containers. */
export function exampleContainer(name: string, script: string, ports: number[] = [], resources = EXAMPLE_APP_RESOURCES): kplus.ContainerProps {
  return {
    name,
    image: DEFAULT_IMAGE,
    command: ['sh', '-c', script],
    ports: ports.map((number) => ({ number })),
    resources,
    securityContext: RestrictedSecurity.container(),
  };
}

/** Props of a workload named `name`, hardened, whose app container `app` runs `appScript`. */
export function exampleWorkloadProps(name: string, appScript: string, ports: number[] = [], resources = EXAMPLE_APP_RESOURCES) {
  return {
    metadata: { name },
    securityContext: RestrictedSecurity.POD,
    containers: [exampleContainer('app', appScript, ports, resources)],
  };
}

/** A one-replica Deployment named `name` whose app container `app` runs `appScript`. */
export function exampleDeployment(scope: Construct, name: string, appScript: string): kplus.Deployment {
  return new kplus.Deployment(scope, 'Deployment', { ...exampleWorkloadProps(name, appScript), replicas: 1 });
}

/** Shell fragments the example apps are made of. */
export const APP_SCRIPTS = {
  /** Prints every line the init steps left in the hand-off directory. */
  printHandOff: 'while read -r line; do echo "handoff: $line"; done < "$HANDOFF_DIR/config.txt"',
  /** Asks the ambassador's local address for shard N and prints the answer. */
  queryShard: (shard: number) =>
    `echo "shard-${shard} answered: $(echo ping | nc -w 2 \${SHARD_${shard}_ADDR%:*} \${SHARD_${shard}_ADDR#*:})"`,
  /** Appends raw `<time> <LEVEL> <message>` lines to the app's log file. */
  writeLogLines: (logFile: string) =>
    [
      `echo "$(date -u +%Y-%m-%dT%H:%M:%S) WARN disk almost full" >> ${logFile}`,
      `echo "$(date -u +%Y-%m-%dT%H:%M:%S) INFO request served" >> ${logFile}`,
    ].join('\n'),
  /** Repeats `body` every `seconds` forever, so the app stays up like a server. */
  forever: (body: string, seconds: number) => `while true; do\n${body}\nsleep ${seconds}\ndone`,
};

/** A stand-in for an external database shard: answers `hello from shard-N` on port 7000+N. */
export function shardStandIn(shard: number): kplus.ContainerProps {
  const port = 7000 + shard;
  return exampleContainer(`shard-${shard}`, `nc -ll -p ${port} -e echo hello from shard-${shard}`, [port]);
}

/** The app's log file in the examples, in a directory the log patterns share with the app. */
export const APP_LOG_FILE = '/var/log/app/app.log';

/** The first init step of the examples: writes the config the app prints. */
export const WRITE_CONFIG_STEP = {
  name: 'write-config',
  command: ['sh', '-c', 'echo "greeting=hello from write-config" > "$HANDOFF_DIR/config.txt"'],
};

/**
 * A follower of the app's log that stops at once on SIGTERM: sh as PID 1 ignores it unless trapped,
 * and a Job's pod then waits the grace period for its native sidecars (measured on the e2e cluster).
 */
export const stopOnTerm = (follower: string) => ['sh', '-c', runUntilTerm(follower)];

/** A log shipper that follows the app's log file and ships each line to its own stdout. */
export const LOG_SHIPPER_COMMAND = stopOnTerm(`tail -F -n +1 ${APP_LOG_FILE} | awk '{ print "[shipped] " $0; fflush() }'`);
