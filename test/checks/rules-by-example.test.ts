import { Sidecar } from '../../lib';
import { RULE_DEFINITIONS } from '../../lib/checks/rule-policy';
import { fixture, KEEP_RUNNING, RULE_EXAMPLES, ruleFixture, synthReport } from '../support/rule-examples';

describe('rules checked at synth time', () => {
  test('a valid composition synthesizes without error', () => {
    const { app, workload } = fixture();
    new Sidecar(app.charts[0], 'LogShipper', { command: KEEP_RUNNING, workload, sharedPath: '/var/log/app' });
    expect(() => app.synthYaml()).not.toThrow();
  });

  test.each(RULE_DEFINITIONS.map((definition) => [definition.failsWhen, definition.rule, definition] as const))('fails when %s (%s)', (_when, rule, definition) => {
    const fixture = ruleFixture();
    RULE_EXAMPLES[rule].build(fixture);
    expect(synthReport(fixture)).toEqual([definition.exampleMessage]);
  });
});
