import { readFileSync } from 'fs';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { KubernetesFeature, KubernetesTarget, KubernetesVersion } from '../../lib';
import { FEATURE_GATES, UPSTREAM_KUBERNETES } from '../../lib/kubernetes/feature-gates.generated';
import { FEATURE_HISTORY } from '../../lib/kubernetes/kubernetes-target';
import { job } from '../support/workloads';

describe('targets 1.27 to 1.37', () => {
  test('each feature has its first version, stages and source written down', () => {
    expect(FEATURE_HISTORY.map((f) => [f.feature, f.firstMinor])).toEqual([
      [KubernetesFeature.NATIVE_SIDECARS, 29],
      [KubernetesFeature.PRESTOP_SLEEP, 30],
      [KubernetesFeature.POD_LEVEL_RESOURCES, 34],
      [KubernetesFeature.CONTAINER_RESTART_RULES, 35],
      [KubernetesFeature.ENV_FILES, 35],
      [KubernetesFeature.IMAGE_VOLUMES, 35],
      [KubernetesFeature.RESTART_ALL_CONTAINERS, 36],
      [KubernetesFeature.IN_PLACE_RESIZE, 33],
      [KubernetesFeature.IN_PLACE_RESIZE_INIT_CONTAINERS, 36],
      [KubernetesFeature.IN_PLACE_RESIZE_POD_LEVEL_RESOURCES, 36],
    ]);
    for (const f of FEATURE_HISTORY) expect(f.source).toMatch(/^KEP-\d+/);
    expect(KubernetesVersion.parse('1.35').supports(KubernetesFeature.POD_LEVEL_RESOURCES)).toBe(true);
  });

  test('the table is upstream\'s: each feature\'s gate, KEP, first version and stages as npm run features read them', () => {
    expect(UPSTREAM_KUBERNETES).toBe('k8s.io/kubernetes@v1.37.2');
    expect(FEATURE_HISTORY.map((f) => [f.feature, f.stages, f.source])).toEqual([
      [KubernetesFeature.NATIVE_SIDECARS, 'alpha 1.28, beta (on) 1.29, GA 1.33', 'KEP-753, feature gate SidecarContainers'],
      [KubernetesFeature.PRESTOP_SLEEP, 'alpha 1.29, beta (on) 1.30, GA 1.34', 'KEP-3960, feature gate PodLifecycleSleepAction'],
      [KubernetesFeature.POD_LEVEL_RESOURCES, 'alpha 1.32, beta (on) 1.34', 'KEP-2837, feature gate PodLevelResources'],
      [KubernetesFeature.CONTAINER_RESTART_RULES, 'alpha 1.34, beta (on) 1.35', 'KEP-5307, feature gate ContainerRestartRules'],
      [KubernetesFeature.ENV_FILES, 'alpha 1.34, beta (on) 1.35', 'KEP-3721, feature gate EnvFiles'],
      [KubernetesFeature.IMAGE_VOLUMES, 'alpha 1.31, beta (off) 1.33, beta (on) 1.35, GA 1.36', 'KEP-4639, feature gate ImageVolume'],
      [KubernetesFeature.RESTART_ALL_CONTAINERS, 'alpha 1.35, beta (on) 1.36', 'KEP-5532, feature gate RestartAllContainersOnContainerExits'],
      [KubernetesFeature.IN_PLACE_RESIZE, 'alpha 1.27, beta (on) 1.33, GA 1.35', 'KEP-1287, feature gate InPlacePodVerticalScaling'],
      [KubernetesFeature.IN_PLACE_RESIZE_INIT_CONTAINERS, 'beta (on) 1.36, GA 1.37', 'KEP-1287, feature gate InPlacePodVerticalScalingInitContainers'],
      [KubernetesFeature.IN_PLACE_RESIZE_POD_LEVEL_RESOURCES, 'alpha 1.35, beta (on) 1.36', 'KEP-5419, feature gate InPlacePodLevelResourcesVerticalScaling'],
    ]);
    // Every gate read is used, and the newest target is the release the table was read from.
    expect(FEATURE_HISTORY.map((f) => f.source.replace(/.* /, '')).sort()).toEqual(Object.keys(FEATURE_GATES).sort());
    const newest = /@v1\.(\d+)\./.exec(UPSTREAM_KUBERNETES)![1];
    expect(KubernetesVersion.parse(`1.${newest}`).toString()).toBe(`1.${newest}`);
    expect(() => KubernetesVersion.parse(`1.${Number(newest) + 1}`)).toThrow('outside the targets');
  });

  test('docs/lifecycle.md shows the table as npm run features wrote it', () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'lifecycle.md'), 'utf8');
    const table = doc.slice(doc.indexOf('<!-- feature table: written by npm run features -->'), doc.indexOf('<!-- end of feature table -->'));
    const rows = table.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| feature '));
    expect(rows).toEqual(FEATURE_HISTORY.map((f) => `| ${f.feature} | 1.${f.firstMinor} | ${f.stages} | ${f.source} |`));
  });

  test('fails when a version is outside 1.27 to 1.37', () => {
    expect(() => KubernetesVersion.parse('1.26')).toThrow("Kubernetes version '1.26' is outside the targets this library knows, 1.27 to 1.37. Pick one of those.");
    expect(() => KubernetesVersion.parse('1.38')).toThrow('outside the targets');
  });

  test('fails when a feature is used below its first version, naming that version', () => {
    const { chart, pod } = job(KubernetesVersion.V1_33);
    pod.usePodLevelResources({ requests: { cpuMillis: 100, memoryMebibytes: 64 }, limits: { cpuMillis: 500, memoryMebibytes: 256 } });
    expect(() => Testing.synth(chart)).toThrow(
      "usePodLevelResources needs pod-level resources, first on by default in Kubernetes 1.34, but the chart targets 1.33. Call KubernetesTarget.set(chart, KubernetesVersion.parse('1.34'))",
    );
  });

  test('fails when a Kubernetes version is malformed', () => {
    expect(() => KubernetesVersion.parse('v1.29')).toThrow("Kubernetes version 'v1.29' is not of the form 1.N. Write it like '1.29'.");
    expect(KubernetesVersion.parse('1.30').supportsNativeSidecars).toBe(true);
  });

  test('the target applies to nested charts', () => {
    const app = Testing.app();
    const parent = new Chart(app, 'parent');
    KubernetesTarget.set(parent, KubernetesVersion.V1_33);
    expect(KubernetesTarget.of(new Chart(parent, 'child')).toString()).toBe('1.33');
    expect(KubernetesTarget.of(new Chart(app, 'other'))).toBe(KubernetesVersion.V1_27);
  });
});
