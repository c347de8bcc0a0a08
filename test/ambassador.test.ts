import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { AmbassadorExampleChart } from '../lib/examples';
import { Ambassador } from '../lib';
import { containerOf, expectAttachesToEveryWorkloadKind, onlyOf, podSpecOf } from './support/synth';

describe('Ambassador', () => {
  const manifests = Testing.synth(new AmbassadorExampleChart(Testing.app(), 'ambassador-example'));
  const podSpec = podSpecOf(onlyOf(manifests, 'Deployment'));
  const ambassador = containerOf(podSpec, 'db-ambassador');

  test('example chart matches the snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('listens on one localhost port per upstream and forwards to it', () => {
    expect(ambassador.ports).toEqual([{ containerPort: 9000 }, { containerPort: 9001 }]);
    expect(ambassador.command).toEqual([
      'sh',
      '-c',
      [
        // sh as PID 1 ignores SIGTERM unless trapped; sleep in the background so the trap runs at once.
        "trap 'exit 0' TERM",
        'nc -ll -p 9000 127.0.0.1 -e nc 127.0.0.1 7000 & pids="$!"',
        'nc -ll -p 9001 127.0.0.1 -e nc 127.0.0.1 7001 & pids="$pids $!"',
        'while kill -0 $pids 2>/dev/null; do sleep 5 & wait $!; done',
        'echo "ambassador: a forwarder exited" >&2; exit 1',
      ].join('\n'),
    ]);
  });

  test('tells the app each upstream\'s local address through env', () => {
    expect(containerOf(podSpec, 'app').env).toEqual([
      { name: 'SHARD_0_ADDR', value: 'localhost:9000' },
      { name: 'SHARD_1_ADDR', value: 'localhost:9001' },
    ]);
  });

  test('gets the documented resources and the restricted security context', () => {
    expect(ambassador.resources).toEqual({ requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '200m', memory: '64Mi' } });
    expect(ambassador.securityContext).toMatchObject({ runAsUser: 65534, capabilities: { drop: ['ALL'] } });
  });

  test('exposes the local addresses on the construct', () => {
    const chart = new Chart(Testing.app(), 'test');
    const pod = new kplus.Pod(chart, 'Pod', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
    const proxy = new Ambassador(chart, 'Cache', { workload: pod, firstPort: 6380, upstreams: [{ name: 'redis', host: 'redis.cache', port: 6379 }] });
    expect(proxy.localAddresses).toEqual({ redis: 'localhost:6380' });
  });

  test('attaches to every workload kind defined in another chart', () => {
    expectAttachesToEveryWorkloadKind(
      (scope, workload) => new Ambassador(scope, 'Db', { workload, upstreams: [{ name: 'db', host: 'db.data', port: 5432 }] }),
      (spec) => {
        expect(containerOf(spec, 'db').ports).toEqual([{ containerPort: 9000 }]);
        expect(containerOf(spec, 'app').env).toEqual([{ name: 'DB_ADDR', value: 'localhost:9000' }]);
      },
    );
  });

  test('fails when upstreams is empty', () => {
    const chart = new Chart(Testing.app(), 'test');
    const pod = new kplus.Pod(chart, 'Pod', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
    expect(() => new Ambassador(chart, 'Db', { workload: pod, upstreams: [] })).toThrow(
      'test/Db: upstreams is []. Give an array of at least one { name, host, port } to forward to.',
    );
  });
});
