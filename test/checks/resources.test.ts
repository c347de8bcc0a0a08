import { Resources, PodComposition, Sidecar } from '../../lib';
import { checkPod, fixture, KEEP_RUNNING, reportOf, synthReport, VALID_RESOURCES, webDeployment } from '../support/rule-examples';

const SHIPPER = "[chart/Web] container 'shipper' (added by chart/Shipper)";

describe('resource rules', () => {
  test.each([
    ['Size.mebibytes(NaN)', { cpuMillis: { request: 50, limit: 100 }, memoryMebibytes: { request: NaN, limit: 64 } }, "memory request 'NaNMi' is not a Kubernetes quantity"],
    ['Cpu.millis(1e21)', { cpuMillis: { request: 50, limit: 1e21 }, memoryMebibytes: { request: 32, limit: 64 } }, "cpu limit '1e+21m' is not a Kubernetes quantity"],
  ])('fails when a quantity is not one Kubernetes parses: %s', (_input, amounts, message) => {
    const lines = reportOf(({ chart }) => new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload: webDeployment(chart), resources: Resources.container(amounts) }));
    expect(lines).toEqual([
      `${SHIPPER}: ${message}. Write digits with at most one suffix, e.g. '250m' or '0.5' for cpu and '64Mi' or '1Gi' for memory ` +
        '(kplus.Cpu.millis(n) and Size.mebibytes(n) need finite n below 1e21).',
    ]);
  });

  test('accepts plain numbers and fractions as quantities, and compares them exactly', () => {
    const resources = { requests: { cpu: 0.1, memory: '0.5Gi' }, limits: { cpu: '100m', memory: 536870912 } };
    expect(checkPod({ resources })).toEqual({ errors: [], warnings: [] });
  });

  test.each([
    [{ resources: { ...VALID_RESOURCES, requests: { ...VALID_RESOURCES.requests, 'ephemeral-storage': '2Gi' }, limits: { ...VALID_RESOURCES.limits, 'ephemeral-storage': '1Gi' } } }, 'request-above-limit', 'ephemeral-storage request 2Gi is above its limit 1Gi'],
    [{ resources: { ...VALID_RESOURCES, limits: { ...VALID_RESOURCES.limits, 'ephemeral-storage': '1.5.3Gi' } } }, 'resource-quantity', "ephemeral-storage limit '1.5.3Gi' is not a Kubernetes quantity"],
  ])('checks what cdk8s-plus cannot render but a patch can: %j', (container, rule, message) => {
    expect(checkPod(container).errors.map((p) => [p.rule, p.message])).toEqual([[rule, message]]);
  });

  test('adds effective limits exactly: 700m + 100m is 800m, within a budget of 800m', () => {
    const { app, chart, workload } = fixture();
    new Sidecar(chart, 'Shipper', {
      command: KEEP_RUNNING,
      workload,
      resources: Resources.container({ cpuMillis: { request: 50, limit: 700 }, memoryMebibytes: { request: 0.5, limit: 64 } }),
    });
    const composition = PodComposition.of(workload);
    composition.enforceResourceBudget({ cpuMillis: 800, memoryMebibytes: 128 });
    expect(composition.effectiveResources).toEqual({
      requests: { cpuMillis: 100, memoryMebibytes: 32.5, ephemeralStorageMebibytes: 64 },
      limits: { cpuMillis: 800, memoryMebibytes: 128, ephemeralStorageMebibytes: 256 },
    });
    expect(synthReport({ app, chart })).toEqual([]);
  });

  test('fails when a budget is not a number', () => {
    const { app, chart, workload } = fixture();
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
    PodComposition.of(workload).enforceResourceBudget({ cpuMillis: NaN, memoryMebibytes: 512 });
    expect(synthReport({ app, chart })).toEqual([
      "[chart/Web] the pod's cpu budget NaN is not a number of millicores. Give enforceResourceBudget a finite cpuMillis of 0 or more.",
    ]);
  });
});
