import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Adapter, AdapterSource, Ambassador, CAPABILITY_ALL, CAPABILITY_NET_BIND_SERVICE, InitSteps, Sidecar } from '../../lib';
import { EXAMPLE_APP_RESOURCES } from '../../lib/examples/example-workload';
import { restrictedViolations } from '../support/pss';
import { KEEP_RUNNING, ruleFixture, synthReport, webDeployment } from '../support/rule-examples';
import { containerOf, podSpecOf, specOf } from '../support/synth';
import { untyped, warningsOf, web } from '../support/workloads';

/** The rendered security context of the sidecar `shipper` given `securityContext`, and what synth reported. */
function shipperWith(securityContext: kplus.ContainerSecurityContextProps) {
  const fixture = ruleFixture();
  new Sidecar(fixture.chart, 'Shipper', { workload: webDeployment(fixture.chart), command: KEEP_RUNNING, securityContext });
  const spec = podSpecOf(Testing.synth(fixture.chart)[0]);
  return { context: containerOf(spec, 'shipper').securityContext, violations: restrictedViolations('web', spec), report: synthReport(fixture) };
}

describe('pattern containers stay restricted and startable whatever partial securityContext is merged in', () => {
  test.each([
    ['user undefined', { user: undefined }],
    ['every field undefined', { user: undefined, group: undefined, ensureNonRoot: undefined, readOnlyRootFilesystem: undefined, allowPrivilegeEscalation: undefined, privileged: undefined, capabilities: undefined }],
    ['only capabilities.add', { capabilities: { add: [CAPABILITY_NET_BIND_SERVICE] } }],
    ['empty capabilities', { capabilities: {} }],
  ])('%s keeps the hardening', (_what, securityContext) => {
    const { context, violations, report } = shipperWith(securityContext as kplus.ContainerSecurityContextProps);
    expect(context).toMatchObject({ runAsUser: 65534, runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(violations).toEqual([]);
    expect(report).toEqual([]);
  });

  test('fields given win: ensureNonRoot false and an emptied drop list are honoured', () => {
    const { context } = shipperWith({ ensureNonRoot: false, capabilities: { drop: [], add: [CAPABILITY_NET_BIND_SERVICE] } });
    expect(context).toMatchObject({ runAsNonRoot: false, runAsUser: 65534, capabilities: { drop: [], add: ['NET_BIND_SERVICE'] } });
  });

  test('a drop list given replaces ALL', () => {
    expect(shipperWith({ capabilities: { drop: [CAPABILITY_ALL, 'KILL' as kplus.Capability] } }).context.capabilities).toEqual({ drop: ['ALL', 'KILL'] });
  });
});

describe('ports of a pattern container', () => {
  const metricsPorts = (ports: kplus.ContainerPort[], portNumber?: number) => {
    const fixture = ruleFixture();
    new Adapter(fixture.chart, 'Metrics', { workload: webDeployment(fixture.chart), source: AdapterSource.statsEndpoint(8080), ports, portNumber });
    return containerOf(podSpecOf(Testing.synth(fixture.chart)[0]), 'metrics').ports;
  };

  test.each([
    ['the same number, protocol and name', [{ number: 9100, name: 'metrics', protocol: kplus.Protocol.TCP }]],
    ['the name left out', [{ number: 9100 }]],
  ])('a listener declared again with %s is merged', (_what, ports) => {
    expect(metricsPorts(ports)).toEqual([{ containerPort: 9100, name: 'metrics' }]);
  });

  test('portNumber repeating a port is merged, and a name given to an unnamed port is kept', () => {
    expect(metricsPorts([{ number: 8081 }, { number: 8081, name: 'admin' }], 8081)).toEqual([
      { containerPort: 9100, name: 'metrics' },
      { containerPort: 8081, name: 'admin' },
    ]);
  });

  test('one number under two protocols is two ports', () => {
    expect(metricsPorts([{ number: 9100, protocol: kplus.Protocol.UDP }])).toHaveLength(2);
  });

  test.each([
    ['a user port names a listener otherwise', (c: Chart, w: kplus.Deployment) => new Adapter(c, 'M', { workload: w, source: AdapterSource.statsEndpoint(8080), ports: [{ number: 9100, name: 'prom' }] }),
      "test/M: port 9100/TCP is declared twice with different names, 'metrics' and 'prom' (the pattern listens on it already; your `ports` are added to the pattern's). Give it one name, or leave the name out in one of them."],
    ['two user ports share a number under two names', (c: Chart, w: kplus.Deployment) => new Sidecar(c, 'S', { workload: w, command: KEEP_RUNNING, portNumber: 8081, ports: [{ number: 8081, name: 'a' }, { number: 8081, name: 'b' }] }),
      "test/S: port 8081/TCP is declared twice with different names, 'a' and 'b'. Give it one name, or leave the name out in one of them."],
    ['two ports share a name', (c: Chart, w: kplus.Deployment) => new Sidecar(c, 'S', { workload: w, command: KEEP_RUNNING, ports: [{ number: 8081, name: 'web' }, { number: 8082, name: 'web' }] }),
      "test/S: port name 'web' is given to two ports, 8081/TCP and 8082/TCP; a container's port names must differ. Give each port its own name, or leave the name out."],
  ])('fails when %s, naming the construct and the fix', (_what, build, message) => {
    const { chart, workload } = web();
    expect(() => build(chart, workload)).toThrow(message);
  });
});

describe('input from JavaScript', () => {
  test.each([
    ['workload undefined', (c: Chart) => new Sidecar(c, 'S', untyped({ command: KEEP_RUNNING })), 'test/S: workload is undefined, not a construct. Give a workload that carries a pod'],
    ['props undefined', (c: Chart) => new Sidecar(c, 'S', untyped(undefined as never)), 'test/S: props is undefined. Give an object with at least `workload`.'],
    ['upstreams not an array', (c: Chart, w: kplus.Deployment) => new Ambassador(c, 'A', untyped({ workload: w, upstreams: { name: 'db' } })), 'test/A: upstreams is {"name":"db"}. Give an array of at least one { name, host, port } to forward to.'],
    ['a port given as a string', (c: Chart, w: kplus.Deployment) => new Ambassador(c, 'A', untyped({ workload: w, firstPort: '9000', upstreams: [{ name: 'db', host: 'db', port: 1 }] })), "test/A: firstPort is '9000', not a port. Give an integer from 1 to 65535."],
    ['a string metricsPort', (c: Chart, w: kplus.Deployment) => new Adapter(c, 'M', untyped({ workload: w, source: AdapterSource.statsEndpoint(8080), metricsPort: '9100; rm -rf /' })), "test/M: metricsPort is '9100; rm -rf /', not a port."],
    ['command not an array', (c: Chart, w: kplus.Deployment) => new Sidecar(c, 'S', untyped({ workload: w, command: 'tail -F /x' })), "test/S: command is 'tail -F /x', not an array of strings."],
    ['command empty on busybox without args', (c: Chart, w: kplus.Deployment) => new Ambassador(c, 'A', { workload: w, command: [], upstreams: [{ name: 'db', host: 'db', port: 5432 }] }), "test/A: command is [], which Kubernetes reads as none, so busybox's sh would run and exit at once."],
    ['an init step whose program is blank', (c: Chart, w: kplus.Deployment) => new InitSteps(c, 'I', { workload: w, steps: [{ name: 'migrate', command: [' ', 'up'] }] }), 'test/I: command is [" ","up"], whose program name is blank, which no runtime can execute.'],
    ['steps not an array', (c: Chart, w: kplus.Deployment) => new InitSteps(c, 'I', untyped({ workload: w, steps: 'migrate' })), "test/I: steps is 'migrate', not an array."],
    ['drainTime given as a number', (c: Chart, w: kplus.Deployment) => new Sidecar(c, 'S', untyped({ workload: w, command: KEEP_RUNNING, drainTime: 5 })), 'test/S: drainTime is 5. Give a Duration such as Duration.seconds(5).'],
    ['mode misspelled', (c: Chart, w: kplus.Deployment) => new Sidecar(c, 'S', untyped({ workload: w, command: KEEP_RUNNING, mode: 'Native' })), "test/S: mode is 'Native'. Give SidecarMode.CLASSIC or SidecarMode.NATIVE."],
    ['handOff given as a string', (c: Chart, w: kplus.Deployment) => new InitSteps(c, 'I', untyped({ workload: w, handOff: 'false' })), "test/I: handOff is 'false'. Give true or false."],
  ])('fails when %s', (_what, create, message) => {
    const { chart, workload } = web();
    expect(() => create(chart, workload)).toThrow(message);
  });
});

describe('durations in whole seconds', () => {
  test.each([
    ['drainTime is not whole seconds', (c: Chart, w: kplus.Deployment) => new Sidecar(c, 'S', { workload: w, command: KEEP_RUNNING, drainTime: Duration.millis(500) }), 'test/S: drainTime is 500 ms. Give a whole number of seconds, at least 1'],
    ['pollInterval is not whole seconds', (c: Chart, w: kplus.Deployment) => new Adapter(c, 'M', { workload: w, source: AdapterSource.statsEndpoint(8080), pollInterval: Duration.millis(1500) }), 'test/M: pollInterval is 1500 ms.'],
  ])('fails when %s, naming the construct and the fix', (_what, build, message) => {
    const { chart, workload } = web();
    expect(() => build(chart, workload)).toThrow(message);
  });
});

describe('command and image', () => {
  test('an empty command is kept where it means the image entrypoint or runs the args', () => {
    const { chart, workload } = web();
    new Sidecar(chart, 'Own', { workload, image: 'fluent/fluent-bit:3.1', command: [] });
    new Sidecar(chart, 'Args', { workload, command: [], args: ['sleep', '3600'] });
    const containers = specOf(chart).containers;
    expect(containers.find((c: { name: string }) => c.name === 'own')).toMatchObject({ command: [] });
    expect(containers.find((c: { name: string }) => c.name === 'args')).toMatchObject({ command: [], args: ['sleep', '3600'] });
  });
});

describe('resources for real images', () => {
  test('warns when a container with its own image is left on the busybox-sized defaults', () => {
    const { chart, workload } = web();
    new Sidecar(chart, 'Exporter', { workload, image: 'oliver006/redis_exporter:v1.45.0' });
    new Sidecar(chart, 'Sized', { workload, image: 'oliver006/redis_exporter:v1.45.0', name: 'sized', resources: EXAMPLE_APP_RESOURCES });
    const warnings = warningsOf(() => Testing.synth(chart));
    expect(warnings).toContain(
      "Warning: [test/Web] container 'exporter' (added by test/Exporter): runs image 'oliver006/redis_exporter:v1.45.0' on its pattern's default resources, sized for busybox. Give `resources` measured for that image.",
    );
    expect(warnings.filter((w) => w.includes("'sized'"))).toEqual([]);
  });
});
