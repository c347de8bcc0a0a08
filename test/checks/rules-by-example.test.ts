import { Testing } from 'cdk8s';
import { Sidecar } from '../../lib';
import { RULE_DEFINITIONS } from '../../lib/checks/rule-policy';
import { fixture, KEEP_RUNNING, RULE_EXAMPLES, ruleFixture, synthReport } from '../support/rule-examples';
import { containerOf, podSpecOf } from '../support/synth';

describe('rules checked at synth time', () => {
  test('a valid composition synthesizes with no error and no warning, the sidecar sharing the log directory', () => {
    const { app, chart, workload } = fixture();
    new Sidecar(chart, 'LogShipper', { command: KEEP_RUNNING, workload, sharedPath: '/var/log/app' });
    expect(synthReport({ app, chart })).toEqual([]);
    expect(containerOf(podSpecOf(Testing.synth(chart)[0]), 'log-shipper').volumeMounts).toEqual([{ mountPath: '/var/log/app', name: 'shared-var-log-app-cf0b1e' }]);
  });

  test.each(RULE_DEFINITIONS.map((definition) => [definition.failsWhen, definition.rule, definition] as const))('fails when %s (%s)', (_when, rule, definition) => {
    const fixture = ruleFixture();
    RULE_EXAMPLES[rule](fixture);
    expect(synthReport(fixture)).toEqual([definition.exampleMessage]);
  });
});
