import { Testing } from 'cdk8s';
import { KubernetesVersion, PodComposition, Sidecar, SidecarMode } from '../../lib';
import { containerOf, KEEP_RUNNING, podSpecOf } from '../support/synth';
import { job, web } from '../support/workloads';

describe('restart rules', () => {
  test("the app of a Job restarts on the exit codes of its rule, with the pod's restartPolicy beside the rule", () => {
    const { chart, pod } = job(KubernetesVersion.V1_35);
    pod.restartOnExitCodes('app', [42, 43]);
    const app = containerOf(podSpecOf(Testing.synth(chart)[0]), 'app');
    expect(app.restartPolicy).toBe('Never');
    expect(app.restartPolicyRules).toEqual([{ action: 'Restart', exitCodes: { operator: 'In', values: [42, 43] } }]);
  });

  test('a native helper whose exit restarts the whole pod keeps restartPolicy Always and gets a RestartAllContainers rule for any exit', () => {
    const { chart, workload } = web(KubernetesVersion.V1_36);
    new Sidecar(chart, 'Link', { workload, command: KEEP_RUNNING, restartPodOnExit: true });
    const link = containerOf(podSpecOf(Testing.synth(chart)[0]), 'link');
    expect(link.restartPolicy).toBe('Always');
    expect(link.restartPolicyRules).toEqual([{ action: 'RestartAllContainers', exitCodes: { operator: 'NotIn', values: [] } }]);
  });

  test('a classic helper restarts on its exit codes', () => {
    const { chart, workload } = web(KubernetesVersion.V1_35);
    new Sidecar(chart, 'Sync', { workload, command: KEEP_RUNNING, mode: SidecarMode.CLASSIC, restartOnExitCodes: [75] });
    const sync = containerOf(podSpecOf(Testing.synth(chart)[0]), 'sync');
    expect(sync.restartPolicyRules).toEqual([{ action: 'Restart', exitCodes: { operator: 'In', values: [75] } }]);
  });

  test('fails when a native sidecar is given exit codes to restart on, which it restarts on already', () => {
    const { chart, workload } = web(KubernetesVersion.V1_35);
    new Sidecar(chart, 'Sync', { workload, command: KEEP_RUNNING, restartOnExitCodes: [75] });
    expect(() => Testing.synth(chart)).toThrow(
      "test/Sync: 'sync' restarts on exit codes 75, but it renders as a native sidecar, which restarts on every exit already. Leave the exit codes out, or make it classic (mode: SidecarMode.CLASSIC).",
    );
  });

  test('fails when the target has no restart rules, or no RestartAllContainers', () => {
    const rules = job(KubernetesVersion.V1_34);
    rules.pod.restartOnExitCodes('app', [42]);
    expect(() => Testing.synth(rules.chart)).toThrow("restartOnExitCodes of 'app' needs container restart rules, first on by default in Kubernetes 1.35, but the chart targets 1.34.");
    const all = web(KubernetesVersion.V1_35);
    new Sidecar(all.chart, 'Link', { workload: all.workload, command: KEEP_RUNNING, restartPodOnExit: true });
    expect(() => Testing.synth(all.chart)).toThrow('restartPodOnExit of test/Link needs restarting all containers on a container exit, first on by default in Kubernetes 1.36, but the chart targets 1.35.');
  });

  test('fails when exit codes are not whole numbers from 1 to 255', () => {
    const { pod } = job(KubernetesVersion.V1_35);
    expect(() => pod.restartOnExitCodes('app', [0])).toThrow("test/Batch: restartOnExitCodes of 'app': exit codes [0] are not a list of different whole numbers from 1 to 255. Give e.g. [42].");
    expect(PodComposition.of(pod.workload)).toBe(pod);
  });
});
