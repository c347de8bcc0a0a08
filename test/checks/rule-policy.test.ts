import { Chart } from 'cdk8s';
import { Resources, Rule, RuleLevel, RulePolicy, Sidecar } from '../../lib';
import { KEEP_RUNNING, missingMessage, ruleFixture, synthReport, webDeployment } from '../support/rule-examples';

const REASON = 'many operators run without cpu limits';
const NO_CPU_LIMIT = Resources.container({ cpuMillis: { request: 50 }, memoryMebibytes: { request: 32, limit: 64 } });

describe('RulePolicy', () => {
  test('the nearest scope wins: container on the workload, workload, charts (innermost first), app', () => {
    const { app, chart } = ruleFixture();
    const inner = new Chart(chart, 'inner');
    const web = webDeployment(inner);
    const other = webDeployment(new Chart(app, 'other'));
    RulePolicy.set(app, Rule.CPU_LIMIT, RuleLevel.OFF, { reason: REASON });
    RulePolicy.set(chart, Rule.CPU_LIMIT, RuleLevel.WARNING, { reason: 'this team reviews limits by hand' });
    RulePolicy.set(inner, Rule.CPU_LIMIT, RuleLevel.ERROR, { reason: 'latency-critical services', container: 'shipper' });
    RulePolicy.set(web, Rule.CPU_LIMIT, RuleLevel.WARNING, { reason: 'limits come from a LimitRange' });
    RulePolicy.set(web, Rule.CPU_LIMIT, RuleLevel.OFF, { reason: 'the app bursts at start-up', container: 'app' });

    expect(RulePolicy.levelOf(web, Rule.CPU_LIMIT, 'app')).toBe(RuleLevel.OFF);
    // The workload's general setting is nearer than the inner chart's container-specific one.
    expect(RulePolicy.levelOf(web, Rule.CPU_LIMIT, 'shipper')).toBe(RuleLevel.WARNING);
    expect(RulePolicy.levelOf(web, Rule.CPU_LIMIT)).toBe(RuleLevel.WARNING);
    expect(RulePolicy.levelOf(other, Rule.CPU_LIMIT)).toBe(RuleLevel.OFF);
    expect(RulePolicy.reasonOf(other, Rule.CPU_LIMIT)).toBe(REASON);
    expect(RulePolicy.levelOf(other, Rule.CPU_REQUEST)).toBe(RuleLevel.ERROR);
    expect(RulePolicy.reasonOf(other, Rule.CPU_REQUEST)).toBeUndefined();
    expect(RulePolicy.levelOf(other, Rule.IMAGE_TAG)).toBe(RuleLevel.WARNING);
  });

  test('cpu-limit off lets containers run without cpu limits, while cpu-request stays an error', () => {
    const fixture = ruleFixture();
    RulePolicy.set(fixture.app, Rule.CPU_LIMIT, RuleLevel.OFF, { reason: REASON });
    const workload = webDeployment(fixture.chart);
    new Sidecar(fixture.chart, 'Shipper', { command: KEEP_RUNNING, workload, resources: NO_CPU_LIMIT });
    expect(synthReport(fixture)).toEqual([]);

    new Sidecar(fixture.chart, 'Proxy', { command: KEEP_RUNNING, workload, resources: { memory: NO_CPU_LIMIT.memory } });
    expect(synthReport(fixture)).toEqual([
      missingMessage('cpu', 'request', "[chart/Web] container 'proxy' (added by chart/Proxy)"),
    ]);
  });

  test('a container-specific setting applies to that container only', () => {
    const fixture = ruleFixture();
    const workload = webDeployment(fixture.chart, { resources: NO_CPU_LIMIT });
    new Sidecar(fixture.chart, 'Shipper', { command: KEEP_RUNNING, workload, resources: NO_CPU_LIMIT });
    RulePolicy.set(workload, Rule.CPU_LIMIT, RuleLevel.OFF, { reason: REASON, container: 'shipper' });
    expect(synthReport(fixture)).toEqual([missingMessage('cpu', 'limit', "[chart/Web] container 'app'")]);
  });

  test('a warning is printed once and never stops synth', () => {
    const fixture = ruleFixture();
    const workload = webDeployment(fixture.chart);
    new Sidecar(fixture.chart, 'Shipper', { command: KEEP_RUNNING, workload, resources: NO_CPU_LIMIT });
    RulePolicy.set(fixture.chart, Rule.CPU_LIMIT, RuleLevel.WARNING, { reason: 'limits are being rolled out' });
    expect(synthReport(fixture)).toEqual([missingMessage('cpu', 'limit', "Warning: [chart/Web] container 'shipper' (added by chart/Shipper)")]);
    expect(synthReport(fixture)).toEqual([]);
  });

  test('fails when a rule name is unknown', () => {
    const { chart } = ruleFixture();
    expect(() => RulePolicy.set(chart, 'cpu-limits' as Rule, RuleLevel.OFF, { reason: REASON })).toThrow(
      "RulePolicy.set on chart: unknown rule 'cpu-limits'. Use one of object-name, namespace, label-key,",
    );
    expect(() => RulePolicy.levelOf(chart, 'cpu-limits' as Rule)).toThrow("RulePolicy.levelOf on chart: unknown rule 'cpu-limits'.");
  });

  test('fails when a level is unknown', () => {
    const { chart } = ruleFixture();
    expect(() => RulePolicy.set(chart, Rule.CPU_LIMIT, 'silent' as RuleLevel, { reason: REASON })).toThrow(
      "RulePolicy.set on chart: unknown level 'silent' for rule 'cpu-limit'. Use RuleLevel.ERROR, RuleLevel.WARNING or RuleLevel.OFF.",
    );
  });

  test.each([
    ['empty', { reason: ' ' }],
    ['missing', {}],
    ['without options', undefined],
  ])('fails when the reason is %s', (_case, options) => {
    const { app } = ruleFixture();
    expect(() => RulePolicy.set(app, Rule.CPU_LIMIT, RuleLevel.OFF, options as { reason: string })).toThrow(
      "RulePolicy.set on the app: rule 'cpu-limit' is set without a reason. Give { reason: '...' } saying why, e.g. 'many operators run without cpu limits'.",
    );
  });

  test('fails when the container name is empty', () => {
    const { chart } = ruleFixture();
    expect(() => RulePolicy.set(chart, Rule.CPU_LIMIT, RuleLevel.OFF, { reason: REASON, container: '' })).toThrow(
      "RulePolicy.set on chart: container for rule 'cpu-limit' is empty. Give a container name, or leave container out for every container.",
    );
  });
});

describe('RulePolicy naming a container', () => {
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
