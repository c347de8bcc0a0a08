import * as kplus from 'cdk8s-plus-27';
import { Ambassador, InitSteps } from '../../lib';
import { web } from '../support/workloads';

describe('env collisions are errors naming both sources', () => {
  test('fails when two upstreams map to one variable', () => {
    const { chart, workload } = web();
    const upstreams = [{ name: 'shard-0', host: 'a', port: 1 }, { name: 'shard_0', host: 'b', port: 2 }];
    expect(() => new Ambassador(chart, 'Db', { workload, upstreams })).toThrow(
      "test/Db: upstreams 'shard-0' and 'shard_0' both set env SHARD_0_ADDR in the app. Name them so they differ in letters or digits.",
    );
  });

  test("fails when an upstream would overwrite the app's own variable", () => {
    const { chart, workload } = web();
    workload.containers[0].env.addVariable('DB_ADDR', kplus.EnvValue.fromValue('db:5432'));
    expect(() => new Ambassador(chart, 'Db', { workload, upstreams: [{ name: 'db', host: 'db', port: 5432 }] })).toThrow(
      "test/Db: env DB_ADDR of container 'app' is already set by the container's own env.",
    );
  });

  test('fails when two patterns set one variable', () => {
    const { chart, workload } = web();
    new Ambassador(chart, 'One', { workload, upstreams: [{ name: 'db', host: 'db', port: 5432 }] });
    expect(() => new Ambassador(chart, 'Two', { workload, firstPort: 9100, upstreams: [{ name: 'db', host: 'db2', port: 5432 }] })).toThrow(
      "test/Two: env DB_ADDR of container 'app' is already set by test/One.",
    );
  });

  test('fails when two InitSteps both hand off, naming the construct and the fix', () => {
    const { chart, workload } = web();
    new InitSteps(chart, 'A', { workload, steps: [] });
    expect(() => new InitSteps(chart, 'B', { workload, handOffPath: '/other', steps: [] })).toThrow(
      'test/B: env HANDOFF_DIR of container \'app\' is already set by test/A. Give one InitSteps handOff: false, or add the steps to the first with addStep.',
    );
  });
});
