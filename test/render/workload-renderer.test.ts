import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CAPABILITY_ALL, CAPABILITY_NET_BIND_SERVICE, KubernetesVersion, PodComposition, Sidecar } from '../../lib';
import { restrictedViolations } from '../support/pss';
import { KEEP_RUNNING, ruleFixture, webDeployment } from '../support/rule-examples';
import { containerOf, Manifest, specOf } from '../support/synth';
import { chartWith, web } from '../support/workloads';

/**
 * Three charts, one nested, with chart and object dependencies, and a workload with a sidecar in each:
 * cdk8s validates the whole app again before each of the four charts it renders.
 */
function appWithDependencies(outdir = os.tmpdir()): { app: App; workloads: kplus.Deployment[] } {
  const app = new App({ outdir });
  const charts = ['first', 'second', 'third'].map((id) => new Chart(app, id));
  charts.push(new Chart(charts[1], 'nested'));
  charts[0].addDependency(charts[2]);
  const workloads = charts.map((chart) => {
    const workload = new kplus.Deployment(chart, 'Web', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload, name: 'shipper' });
    ApiObject.of(workload).addDependency(new kplus.ConfigMap(chart, 'Config', { data: { key: 'value' } }));
    return workload;
  });
  return { app, workloads };
}

describe('each synth', () => {
  let render: jest.SpyInstance;
  beforeEach(() => {
    render = jest.spyOn(kplus.k8s.KubeDeployment.prototype, 'toJson');
  });
  afterEach(() => render.mockRestore());

  test('renders and checks each pod once, however many charts cdk8s validates the app for', () => {
    const { app } = appWithDependencies();
    app.synthYaml();
    expect(render).toHaveBeenCalledTimes(4);
    Testing.synth(app.charts[0]);
    expect(render).toHaveBeenCalledTimes(5);
  });

  test.each([
    ['app.synthYaml()', (app: App) => app.synthYaml()],
    ['app.synth()', (app: App) => app.synth()],
    ['Testing.synth(chart)', (app: App) => Testing.synth(app.charts[0])],
  ])('sees a duplicate object added after the previous %s, however deep in the tree', (_entryPoint, synth) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'render-per-synth-'));
    try {
      const { app, workloads } = appWithDependencies(outdir);
      new kplus.ConfigMap(workloads[0], 'Settings', { metadata: { name: 'settings' } });
      synth(app);
      new kplus.ConfigMap(workloads[3], 'Settings', { metadata: { name: 'settings' } });
      expect(() => synth(app)).toThrow(
        "Validation failed with the following errors:\n  [] ConfigMap 'settings' without a namespace is defined twice, by first/Web/Settings and second/nested/Web/Settings. " +
          'Give one of them another metadata.name or namespace: applied together, the second would replace the first.',
      );
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('sees a change made after the previous synth', () => {
    const { app, workloads } = appWithDependencies();
    app.synthYaml();
    workloads[0].addContainer({ name: 'Not_A_Name', image: 'busybox:1.36' });
    expect(() => app.synthYaml()).toThrow(/^Validation failed with the following errors:\n {2}\[first\/Web\] container 'Not_A_Name': /);
  });
});

describe('no stale state: rendering is a function of the tree at the time of the call', () => {
  test('a pattern attached after a render appears in the next render', () => {
    const { chart, workload } = web();
    new Sidecar(chart, 'First', { workload, command: KEEP_RUNNING });
    expect(specOf(chart).containers.map((c: Manifest) => c.name)).toEqual(['app', 'first']);
    new Sidecar(chart, 'Second', { workload, command: KEEP_RUNNING });
    expect(specOf(chart).containers.map((c: Manifest) => c.name)).toEqual(['app', 'first', 'second']);
  });

  test('a rule broken after a successful synth fails the next synth', () => {
    const { chart, workload } = web();
    new Sidecar(chart, 'First', { workload, command: KEEP_RUNNING });
    Testing.synth(chart);
    workload.addContainer({ name: 'first', image: 'busybox:1.36', command: KEEP_RUNNING });
    expect(() => Testing.synth(chart)).toThrow("container name 'first' is used twice");
  });

  test('chart.toJson() twice in one tick, then a new pattern: the app synth sees it', () => {
    const { chart, workload } = web();
    chart.toJson();
    chart.toJson();
    new Sidecar(chart, 'Late', { workload, command: KEEP_RUNNING });
    expect(containerOf(specOf(chart), 'late').name).toBe('late');
  });
});

describe('JSON patches override what the library sets', () => {
  const patched = (patches: JsonPatch[]) => {
    const { chart, workload } = web(KubernetesVersion.V1_29);
    new Sidecar(chart, 'Shipper', { workload, command: KEEP_RUNNING, sharedPath: '/var/log/app', ports: [{ number: 9000 }] });
    PodComposition.of(workload).shareProcessNamespace();
    ApiObject.of(workload).addJsonPatch(...patches);
    return Testing.synth(chart)[0].spec.template;
  };

  test.each([
    // Made a run-to-completion init container again: its probe must go too, or the rules refuse it.
    ['a native sidecar restartPolicy', [JsonPatch.remove('/spec/template/spec/initContainers/0/restartPolicy'), JsonPatch.remove('/spec/template/spec/initContainers/0/startupProbe')], (t: Manifest) => t.spec.initContainers[0].restartPolicy, undefined],
    ['its generated startupProbe', [JsonPatch.remove('/spec/template/spec/initContainers/0/startupProbe')], (t: Manifest) => t.spec.initContainers[0].startupProbe, undefined],
    ['the pod seccompProfile', [JsonPatch.replace('/spec/template/spec/securityContext/seccompProfile', { type: 'Localhost', localhostProfile: 'p.json' })], (t: Manifest) => t.spec.securityContext.seccompProfile.type, 'Localhost'],
    ['shareProcessNamespace', [JsonPatch.replace('/spec/template/spec/shareProcessNamespace', false)], (t: Manifest) => t.spec.shareProcessNamespace, false],
    ['the default-container annotation', [JsonPatch.replace('/spec/template/metadata/annotations/kubectl.kubernetes.io~1default-container', 'shipper')], (t: Manifest) => t.metadata.annotations['kubectl.kubernetes.io/default-container'], 'shipper'],
    ['a shared volume', [JsonPatch.replace('/spec/template/spec/volumes/0/emptyDir', { medium: 'Memory' })], (t: Manifest) => t.spec.volumes[0].emptyDir.medium, 'Memory'],
  ])('%s', (_field, patches, read, expected) => {
    expect(read(patched(patches))).toEqual(expected);
  });
});

describe('synth after a change', () => {
  test('a workload fixed right after a failed synth renders its fix', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27);
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
    workload.podMetadata.addLabel('team', 'web team');
    expect(() => Testing.synth(chart)).toThrow("pod template label 'team' has value 'web team'");
    workload.podMetadata.addLabel('team', 'web');
    expect(Testing.synth(chart)[0].spec.template.metadata.labels.team).toBe('web');
  });

  test('a change after a successful synth shows in the next one', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27);
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
    Testing.synth(chart);
    workload.containers[0].env.addVariable('LATER', kplus.EnvValue.fromValue('yes'));
    expect(containerOf(specOf(chart), 'app').env).toEqual([{ name: 'LATER', value: 'yes' }]);
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

  test('fails with the workload path when a JSON patch does not apply to the rendered manifest', () => {
    const { chart, workload } = web(KubernetesVersion.V1_29);
    new Sidecar(chart, 'S', { workload, command: KEEP_RUNNING });
    ApiObject.of(workload).addJsonPatch(JsonPatch.add('/spec/template/spec/containers/1/args', ['x']));
    expect(() => Testing.synth(chart)).toThrow(
      'test/Web: a JSON patch on this workload does not apply to its manifest (',
    );
  });
});

describe('no hidden changes to containers you did not add', () => {
  test('the app container renders exactly as cdk8s-plus renders it without patterns', () => {
    const render = (attach: boolean) => {
      const { chart, workload } = web();
      if (attach) new Sidecar(chart, 'Shipper', { workload, command: KEEP_RUNNING });
      return containerOf(specOf(chart), 'app');
    };
    expect(render(true)).toEqual(render(false));
  });

  test('the dist-style app container passes the restricted profile on its own', () => {
    const { chart, workload } = web();
    new Sidecar(chart, 'Shipper', { workload, command: KEEP_RUNNING });
    expect(restrictedViolations('Deployment', specOf(chart))).toEqual([]);
  });

  test('the containers the user added are left as they are, with a warning naming the fix', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27);
    const netBind = { drop: [CAPABILITY_ALL], add: [CAPABILITY_NET_BIND_SERVICE] };
    new Sidecar(chart, 'Proxy', { command: KEEP_RUNNING, workload, securityContext: { capabilities: netBind } });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const spec = specOf(chart);
    expect(containerOf(spec, 'app').securityContext.capabilities).toBeUndefined();
    expect(containerOf(spec, 'proxy').securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] });
    const warnings = warn.mock.calls.map(([message]) => message);
    warn.mockRestore();
    expect(warnings).toContain(
      "Warning: [test/Web] container 'app': has runAsNonRoot but no runAsUser: a kubelet refuses to start it (CreateContainerConfigError) if its image's user is root. " +
        'Set securityContext.user to the non-root uid the image runs as (e.g. 101 for nginx-unprivileged, 65534 for nobody).',
    );
    expect(warnings).toContain(
      "Warning: [test/Web] container 'app': keeps its capabilities, which the restricted Pod Security profile refuses. " +
        'Set securityContext.capabilities to { drop: [CAPABILITY_ALL] } (add CAPABILITY_NET_BIND_SERVICE only if it binds a port below 1024).',
    );
    expect(restrictedViolations('pod', { ...spec, containers: spec.containers.filter((c: { name: string }) => c.name !== 'app') })).toEqual([]);
  });

  test('a pod without a pattern is left as cdk8s-plus renders it', () => {
    const { chart } = chartWith(KubernetesVersion.V1_29);
    const spec = specOf(chart);
    expect(spec.shareProcessNamespace).toBeUndefined();
    expect(spec.securityContext.seccompProfile).toBeUndefined();
  });
});
