import { ContainerJson, containerField, PortJson } from '../kubernetes/manifest';
import { isPortNumber } from '../kubernetes/names';
import { invalidName, Problem, repeated, RuleDefinition, RuleLevel } from './rule';

/** Rules on ports: numbers, protocols, names, and two listeners on one port. */
export const PORTS_RULES: readonly RuleDefinition[] = [
  {
    rule: 'port-number',
    level: RuleLevel.ERROR,
    failsWhen: 'a container port is out of range',
    exampleInput: '`ports: [{ number: 70000 }]` on the app',
    exampleMessage: "[chart/Web] container 'app': containerPort 70000 is not a port number. Use a whole number from 1 to 65535.",
  },
  {
    rule: 'port-protocol',
    level: RuleLevel.ERROR,
    failsWhen: 'a port has a protocol Kubernetes does not know',
    exampleInput: "`ports: [{ number: 8080, protocol: 'HTTP' as kplus.Protocol }]` (from JavaScript)",
    exampleMessage: "[chart/Web] container 'app': port 8080 has protocol 'HTTP', which Kubernetes does not know. Use TCP, UDP or SCTP (upper case).",
  },
  {
    rule: 'port-conflict',
    level: RuleLevel.ERROR,
    failsWhen: 'two containers listen on one port and protocol',
    exampleInput: "app with `ports: [{ number: 9000 }]` + `new Ambassador(chart, 'Db', { workload, upstreams: [...] })`",
    exampleMessage: "[chart/Web] port 9000 is declared by containers 'app' and 'db', which share the pod's localhost. Give each container its own port (e.g. the ambassador firstPort prop or the adapter metricsPort).",
  },
  {
    rule: 'port-name',
    level: RuleLevel.ERROR,
    failsWhen: 'a port name is not an IANA service name',
    exampleInput: "`ports: [{ number: 8080, name: 'web--ui' }]` on the app",
    exampleMessage: "[chart/Web] container 'app': port name 'web--ui' is invalid. Use at most 15 lower-case letters, digits and '-', with at least one letter, no '--', and a letter or digit at each end.",
  },
  {
    rule: 'duplicate-port-name',
    level: RuleLevel.ERROR,
    failsWhen: 'two ports share a name',
    exampleInput: 'app port named `metrics` + a stats `Adapter` (port `metrics`)',
    exampleMessage: "[chart/Web] port name 'metrics' is used twice in the pod. Give each named port a name of its own.",
  },
];

/** IANA service names (IsValidPortName): lower-case letters, digits and single '-' inside, one letter at least. */
const PORT_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const PORT_FIELDS = ['containerPort', 'hostPort'] as const;

/** containerPort and hostPort must be whole numbers in 1..65535, with a protocol Kubernetes knows. */
export function checkPortNumbers(problems: Problem[], container: string, path: string, ports: PortJson[]): void {
  for (let i = 0; i < ports.length; i++) {
    const port = ports[i];
    for (const key of PORT_FIELDS) {
      const value = port[key];
      // A hostPort of 0 (or none) means the container publishes nothing on the node.
      if ((key === 'containerPort' || (value !== undefined && value !== 0)) && !isPortNumber(value)) {
        problems.push({
          rule: 'port-number',
          container,
          field: `${path}.ports[${i}].${key}`,
          value: String(value),
          message: `${key} ${value} is not a port number`,
          fix: 'Use a whole number from 1 to 65535.',
        });
      }
    }
    if (port.protocol !== undefined && !PROTOCOLS.includes(port.protocol)) {
      problems.push({
        rule: 'port-protocol',
        container,
        field: `${path}.ports[${i}].protocol`,
        value: port.protocol,
        message: `port ${port.containerPort} has protocol '${port.protocol}', which Kubernetes does not know`,
        fix: 'Use TCP, UDP or SCTP (upper case).',
      });
    }
  }
}

/**
 * Ports across the pod: containers running together (`running`) share one network namespace and one
 * node, so one listener per port and protocol; port names are IANA service names, each used once.
 */
export function checkPodPorts(problems: Problem[], all: readonly ContainerJson[], running: readonly ContainerJson[], path: string, initCount: number): void {
  checkPortConflicts(problems, running, path);
  const namedPorts: PortJson[] = [];
  for (let c = 0; c < all.length; c++) {
    const container = all[c];
    const ports = container.ports ?? [];
    for (let i = 0; i < ports.length; i++) {
      const port = ports[i];
      const name = port.name;
      if (name === undefined) continue;
      namedPorts.push(port);
      if (!PORT_NAME.test(name) || name.length > 15) {
        problems.push(
          invalidName('port-name', container.name, `${containerField(path, initCount, c)}.ports[${i}].name`, `port name '${name}'`, name,
            "Use at most 15 lower-case letters, digits and '-', with at least one letter, no '--', and a letter or digit at each end."),
        );
      }
    }
  }
  for (const name of repeated(namedPorts, 'name')) {
    problems.push({
      rule: 'duplicate-port-name',
      field: `${path}.containers`,
      value: name,
      message: `port name '${name}' is used twice in the pod`,
      fix: 'Give each named port a name of its own.',
    });
  }
}

/** How each kind of port collides: on the pod's localhost (containerPort) or on the node (hostPort). */
const PORT_CONFLICTS = {
  containerPort: {
    what: 'port',
    where: "which share the pod's localhost",
    fix: 'Give each container its own port (e.g. the ambassador firstPort prop or the adapter metricsPort).',
  },
  hostPort: {
    what: 'hostPort',
    where: 'which the API server refuses',
    fix: 'Publish each host port from one container, or leave hostPort out (Pod Security Standards "restricted" refuse host ports anyway).',
  },
} as const;

function checkPortConflicts(problems: Problem[], running: readonly ContainerJson[], path: string): void {
  for (const key of PORT_FIELDS) {
    const owners: { port: number; protocol: string; names: string[] }[] = [];
    for (const container of running) {
      for (const port of container.ports ?? []) {
        const number = port[key];
        if (number === undefined || number === 0) continue;
        const protocol = port.protocol ?? 'TCP';
        let entry = owners.find((owner) => owner.port === number && owner.protocol === protocol);
        if (!entry) owners.push((entry = { port: number, protocol, names: [] }));
        if (!entry.names.includes(container.name)) entry.names.push(container.name);
      }
    }
    for (const { port, protocol, names } of owners) {
      if (names.length < 2) continue;
      const { what, where, fix } = PORT_CONFLICTS[key];
      problems.push({
        rule: 'port-conflict',
        field: `${path}.containers`,
        value: String(port),
        message: `${what} ${port}${protocol === 'TCP' ? '' : `/${protocol}`} is declared by containers ${names.map((o) => `'${o}'`).join(' and ')}, ${where}`,
        fix,
      });
    }
  }
}
