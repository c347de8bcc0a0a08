import { ApiObject, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Adapter, AdapterSource, Ambassador, CAPABILITY_ALL, CAPABILITY_NET_BIND_SERVICE, DependencyCondition, PodComposition, Rule, RuleLevel, RulePolicy, Sidecar } from '../lib';
import { restrictedViolations } from './support/pss';
import { KEEP_RUNNING, ruleFixture, synthReport, webDeployment } from './support/rule-examples';
import { containerOf, podSpecOf } from './support/synth';

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

describe('every place that names a container is checked against the pod, listing the real names', () => {
  test('fails when a dependency names a container a JSON patch renamed', () => {
    const fixture = ruleFixture();
    const workload = webDeployment(fixture.chart);
    const proxy = new Ambassador(fixture.chart, 'Proxy', { workload, upstreams: [{ name: 'db', host: 'db', port: 5432 }] });
    PodComposition.of(workload).addDependency(workload.containers[0], proxy.container, DependencyCondition.STARTED);
    ApiObject.of(workload).addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/1/name', 'renamed'));
    expect(synthReport(fixture)).toContain(
      "[chart/Web] container 'app': depends on 'proxy' being started, but the pod has no container 'proxy' (its containers: 'app', 'renamed'). Declare dependencies between containers of the same pod.",
    );
  });

  test('fails when a rule policy names a container no workload under its scope has', () => {
    const fixture = ruleFixture();
    new Sidecar(fixture.chart, 'Shipper', { workload: webDeployment(fixture.chart), command: KEEP_RUNNING });
    RulePolicy.set(fixture.chart, Rule.CPU_LIMIT, RuleLevel.OFF, { reason: 'throttling hurts', container: 'shiper' });
    expect(synthReport(fixture)).toEqual([
      "[chart] RulePolicy.set here sets rule 'cpu-limit' for container 'shiper', which no workload here has (its containers: 'app', 'shipper'). " +
        'Give one of those names, or leave container out for every container.',
    ]);
  });

  test('a rule policy naming a container of one workload under its scope is fine', () => {
    const fixture = ruleFixture();
    new Sidecar(fixture.chart, 'Shipper', { workload: webDeployment(fixture.chart), command: KEEP_RUNNING });
    RulePolicy.set(fixture.app, Rule.CPU_LIMIT, RuleLevel.OFF, { reason: 'throttling hurts', container: 'shipper' });
    expect(synthReport(fixture)).toEqual([]);
  });
});

describe('ambassador upstreams for an image of your own', () => {
  test('fails when a host is not a host name, naming target as the way to pass it', () => {
    const fixture = ruleFixture();
    const upstreams = [{ name: 'db', host: 'project:region:db', port: 5432 }];
    expect(() => new Ambassador(fixture.chart, 'Sql', { workload: webDeployment(fixture.chart), image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0', upstreams })).toThrow(
      "chart/Sql: host 'project:region:db' of upstream 'db' is not a host name or IPv4 address. " +
        "Pass what only your image understands (an instance name, a URL) as `target` instead: { name: 'db', target: 'project:region:db' }, and give it to your image in `args`.",
    );
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
});

describe('JSON patches that remove or retype required fields', () => {
  const CONTAINERS = '/spec/template/spec/containers';
  test.each([
    ['removes the containers', JsonPatch.remove(CONTAINERS), `${CONTAINERS} missing, where the manifest needs a list of at least one container`],
    ['retypes the containers', JsonPatch.replace(CONTAINERS, [null]), `${CONTAINERS}/0 as null, where the manifest needs a container object`],
    ["removes a container's name", JsonPatch.remove(`${CONTAINERS}/0/name`), `${CONTAINERS}/0/name missing, where the manifest needs a string`],
    ["retypes a container's image", JsonPatch.replace(`${CONTAINERS}/0/image`, {}), `${CONTAINERS}/0/image as {}, where the manifest needs a string`],
    ["retypes a container's resources", JsonPatch.replace(`${CONTAINERS}/0/resources/limits/cpu`, {}), `${CONTAINERS}/0/resources/limits/cpu as {}, where the manifest needs a quantity such as '100m' or '64Mi'`],
    ["retypes a container's env", JsonPatch.replace(`${CONTAINERS}/0/env`, 'x'), `${CONTAINERS}/0/env as 'x', where the manifest needs a list`],
    ['retypes the pod template metadata', JsonPatch.replace('/spec/template/metadata', 'x'), "/spec/template/metadata as 'x', where the manifest needs an object"],
  ])('fails when a JSON patch %s, naming the patch target', (_what, patch, leaves) => {
    const fixture = ruleFixture();
    const workload = webDeployment(fixture.chart);
    new Sidecar(fixture.chart, 'Shipper', { workload, command: KEEP_RUNNING, sharedPath: '/data' });
    ApiObject.of(workload).addJsonPatch(patch);
    expect(() => fixture.app.synthYaml()).toThrow(`chart/Web: a JSON patch on this workload leaves ${leaves}. Change the patch that targets`);
  });

  test("removing a container's resources gives the rules' errors, not a crash", () => {
    const fixture = ruleFixture();
    const workload = webDeployment(fixture.chart);
    ApiObject.of(workload).addJsonPatch(JsonPatch.remove('/spec/template/spec/containers/0/resources'));
    new Sidecar(fixture.chart, 'Shipper', { workload, command: KEEP_RUNNING });
    expect(() => fixture.app.synthYaml()).toThrow("[chart/Web] container 'app': cpu request is missing.");
  });
});
