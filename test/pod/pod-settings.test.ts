import { Testing } from 'cdk8s';
import { KubernetesVersion, PodComposition, Runbook, Sidecar } from '../../lib';
import { validateForTarget } from '../support/kubernetes-schema';
import { KEEP_RUNNING, podSpecOf, specOf } from '../support/synth';
import { chartWith, job, untyped, web } from '../support/workloads';

describe('pod options', () => {
  test('the default-container annotation names the app container, and can be overridden', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27);
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
    const annotations = () => Testing.synth(chart)[0].spec.template.metadata.annotations;
    expect(annotations()).toEqual({ 'kubectl.kubernetes.io/default-container': 'app' });
    PodComposition.of(workload).defaultContainer = 'shipper';
    expect(annotations()).toEqual({ 'kubectl.kubernetes.io/default-container': 'shipper' });
  });

  test('shareProcessNamespace is rendered though cdk8s-plus-27 has no prop for it', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27);
    new Sidecar(chart, 'Reloader', { command: KEEP_RUNNING, workload });
    PodComposition.of(workload).shareProcessNamespace();
    expect(specOf(chart).shareProcessNamespace).toBe(true);
  });
});

describe('pod-level resources', () => {
  test('render as spec.resources on 1.34, valid by the 1.29 schema plus the hand check, and show in the runbook', () => {
    const { chart, workload, pod } = job(KubernetesVersion.V1_34);
    new Sidecar(chart, 'Shipper', { workload, command: KEEP_RUNNING });
    pod.usePodLevelResources({ requests: { cpuMillis: 200, memoryMebibytes: 128 }, limits: { cpuMillis: 500, memoryMebibytes: 256 } });
    const manifests = Testing.synth(chart);
    expect(podSpecOf(manifests[0]).resources).toEqual({ limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '200m', memory: '128Mi' } });
    expect(validateForTarget(manifests, 34)).toEqual([]);
    expect(Runbook.render(pod)).toContain("Pod-level resources (`spec.resources`, the pod's own cgroup the containers share): requests 200m / 128Mi, limits 500m / 256Mi.");
  });

  test('fails when the aggregated container requests exceed the pod-level request (KEP-2837)', () => {
    const { chart, workload, pod } = job(KubernetesVersion.V1_34);
    new Sidecar(chart, 'Shipper', { workload, command: KEEP_RUNNING });
    pod.usePodLevelResources({ requests: { cpuMillis: 80, memoryMebibytes: 128 }, limits: { cpuMillis: 500, memoryMebibytes: 256 } });
    expect(() => Testing.synth(chart)).toThrow("the containers' aggregated cpu requests 100m are above the pod-level request 80m (KEP-2837).");
  });

  test('fails when a container limit is above the pod-level limit (KEP-2837)', () => {
    const { chart, pod } = job(KubernetesVersion.V1_35);
    pod.usePodLevelResources({ requests: { cpuMillis: 100, memoryMebibytes: 64 }, limits: { cpuMillis: 80, memoryMebibytes: 256 } });
    expect(() => Testing.synth(chart)).toThrow("container 'app': has a cpu limit 100m above the pod-level limit 80m (KEP-2837).");
  });

  test('fails when pod-level resources miss an amount, naming the construct and the fix', () => {
    const { workload } = web();
    expect(() => PodComposition.attachTo(workload).usePodLevelResources(untyped({ requests: { cpuMillis: 100 }, limits: { cpuMillis: 200, memoryMebibytes: 64 } }))).toThrow(
      'test/Web: usePodLevelResources requests.memoryMebibytes is undefined. Give whole, non-negative numbers',
    );
  });
});

describe('ephemeral storage of your own containers', () => {
  test('sizeEphemeralStorage renders mebibytes on a container of yours, and a GiB value you gave cdk8s-plus wins', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27);
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
    PodComposition.of(workload).sizeEphemeralStorage('app', { request: 32, limit: 128 });
    const app = podSpecOf(Testing.synth(chart)[0]).containers[0];
    expect(app.resources.requests['ephemeral-storage']).toBe('32Mi');
    expect(app.resources.limits['ephemeral-storage']).toBe('128Mi');
  });

  test('fails when sizeEphemeralStorage names no container of the pod, listing the names', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27);
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
    PodComposition.of(workload).sizeEphemeralStorage('ap', { request: 32, limit: 128 });
    expect(() => Testing.synth(chart)).toThrow("test/Web: sizeEphemeralStorage names container 'ap', which the pod does not have (its containers: 'app', 'shipper'). Give one of those names.");
  });

  test('fails when ephemeral storage is not whole mebibytes', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27);
    expect(() => new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload, ephemeralStorageMebibytes: { request: 0.5, limit: 64 } })).toThrow(
      'test/Shipper: ephemeralStorageMebibytes: ephemeral storage request is 0.5. Give whole mebibytes of 0 or more, e.g. { request: 64, limit: 256 }.',
    );
  });

  test('fails when the effective ephemeral-storage limit is above a budget that gives one', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27);
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
    new Sidecar(chart, 'Other', { command: KEEP_RUNNING, workload });
    PodComposition.of(workload).enforceResourceBudget({ cpuMillis: 1000, memoryMebibytes: 1024, ephemeralStorageMebibytes: 300 });
    expect(PodComposition.of(workload).validate()).toEqual([
      "the pod's effective ephemeral-storage limit 512Mi is above its budget 300Mi. The biggest limits are 'shipper' 256Mi, 'other' 256Mi, 'app' 0Mi: lower them or raise the budget.",
    ]);
  });
});
