// Guards lib/cdk8s-patch.ts, the library's one patch of cdk8s: each test names what changed in cdk8s
// or cdk8s-plus and what to do, so an upgrade that breaks the patch fails here, not in users' output.
import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { KubernetesTarget, KubernetesVersion, Sidecar } from '../../lib';
import { renderWithoutUserPatches, replaceRender } from '../../lib/pod/cdk8s-hooks';
import { KEEP_RUNNING, Manifest } from '../support/synth';

const INIT_CONTAINERS = '/spec/template/spec/initContainers';

function deployment(): { chart: Chart; workload: kplus.Deployment } {
  const chart = new Chart(Testing.app(), 'chart');
  const workload = new kplus.Deployment(chart, 'Web', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
  workload.addInitContainer({ name: 'setup', image: 'busybox:1.36' });
  return { chart, workload };
}

describe('the members of cdk8s the patch relies on', () => {
  test('ApiObject keeps the JSON patches in an own array `patches`, in the order added', () => {
    const { workload } = deployment();
    const object = ApiObject.of(workload);
    const first = JsonPatch.add('/metadata/labels/a', 'b');
    const second = JsonPatch.remove('/metadata/labels/a');
    object.addJsonPatch(first, second);
    const patches = (object as unknown as { patches?: unknown }).patches;
    if (!Array.isArray(patches) || patches[0] !== first || patches[1] !== second) {
      throw new Error('cdk8s no longer keeps JSON patches in ApiObject.patches: update renderWithoutUserPatches in lib/cdk8s-patch.ts.');
    }
  });

  test('the workload object renders through its class toJson, which applies `patches` before the 1.27 filter', () => {
    const { workload } = deployment();
    const object = ApiObject.of(workload);
    expect(object).toBeInstanceOf(kplus.k8s.KubeDeployment);
    expect(Object.prototype.hasOwnProperty.call(object, 'toJson')).toBe(false);
    object.addJsonPatch(JsonPatch.add(`${INIT_CONTAINERS}/0/restartPolicy`, 'Always'), JsonPatch.replace('/spec/minReadySeconds', 7));
    const [manifest] = Testing.synth(Chart.of(workload)) as Manifest[];
    expect(manifest.spec.minReadySeconds).toBe(7);
    if (manifest.spec.template.spec.initContainers[0].restartPolicy !== undefined) {
      throw new Error(
        'cdk8s-plus-27 now keeps restartPolicy on init containers through its L1 filter: ' +
          'native sidecars could then be a JSON patch; lib/cdk8s-patch.ts may no longer be needed.',
      );
    }
  });

  test('every synth route renders an object through its own toJson, so a replaced one is honoured', () => {
    const { chart, workload } = deployment();
    const app = chart.node.root as App;
    const object = ApiObject.of(workload);
    const original = object.toJson.bind(object);
    replaceRender(object, () => ({ ...original(), replaced: true }));
    const replacedIn = (manifests: Manifest[]) => manifests.find((m) => m.kind === 'Deployment')?.replaced;
    expect(replacedIn(Testing.synth(chart))).toBe(true);
    expect(replacedIn(chart.toJson())).toBe(true);
    expect(app.synthYaml()).toContain('replaced: true');
  });

  test('renderWithoutUserPatches returns the render before the patches, and leaves them in place', () => {
    const { workload } = deployment();
    const object = ApiObject.of(workload);
    const patch = JsonPatch.replace('/spec/minReadySeconds', 7);
    object.addJsonPatch(patch);
    const { rendered, userPatches } = renderWithoutUserPatches(object);
    expect((rendered as Manifest).spec.minReadySeconds).toBe(0);
    expect(userPatches).toEqual([patch]);
    expect((object.toJson() as Manifest).spec.minReadySeconds).toBe(7);
  });
});

describe('what the patch changes', () => {
  test('only the toJson of the workloads with patterns: nothing shared by cdk8s or cdk8s-plus', () => {
    const shared = () => [App.prototype.synth, App.prototype.synthYaml, Chart.prototype.toJson, ApiObject.prototype.toJson, kplus.k8s.KubeDeployment.prototype.toJson];
    const before = shared();
    const { chart, workload } = deployment();
    const plain = new kplus.Deployment(chart, 'Plain', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload, name: 'shipper' });
    expect(shared()).toEqual(before);
    expect(Object.prototype.hasOwnProperty.call(ApiObject.of(workload), 'toJson')).toBe(true);
    expect(Object.prototype.hasOwnProperty.call(ApiObject.of(plain), 'toJson')).toBe(false);
  });

  test('native sidecars keep restartPolicy, and the user\'s patches apply after it', () => {
    const { chart, workload } = deployment();
    KubernetesTarget.set(chart, KubernetesVersion.V1_29);
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload, name: 'shipper' });
    const initContainers = () => (Testing.synth(chart) as Manifest[])[0].spec.template.spec.initContainers;
    expect(initContainers()[1]).toMatchObject({ name: 'shipper', restartPolicy: 'Always' });
    ApiObject.of(workload).addJsonPatch(JsonPatch.replace(`${INIT_CONTAINERS}/1/restartPolicy`, 'Never'));
    expect(initContainers()[1]).toMatchObject({ name: 'shipper', restartPolicy: 'Never' });
  });
});
