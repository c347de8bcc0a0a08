import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { AmbassadorExampleChart } from '../../lib/examples';
import { Ambassador, KubernetesVersion } from '../../lib';
import { fixture, ruleFixture, webDeployment } from '../support/rule-examples';
import { containerOf, expectAttachesToEveryWorkloadKind, specOf, synthExample } from '../support/synth';
import { chartWith, web } from '../support/workloads';

describe('Ambassador', () => {
  const { manifests, podSpec } = synthExample(AmbassadorExampleChart, 'ambassador-example');
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
    expect(ambassador.resources).toEqual({
      requests: { cpu: '50m', memory: '32Mi', 'ephemeral-storage': '64Mi' },
      limits: { cpu: '200m', memory: '64Mi', 'ephemeral-storage': '256Mi' },
    });
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

  test('fails when an ambassador has no upstreams', () => {
    const { chart, workload } = fixture();
    expect(() => new Ambassador(chart, 'Db', { workload, upstreams: [] })).toThrow(
      'chart/Db: upstreams is []. Give an array of at least one { name, host, port } to forward to.',
    );
  });

  test('fails when an ambassador port is out of range', () => {
    const { chart, workload } = fixture();
    expect(() => new Ambassador(chart, 'Db', { workload, firstPort: 65535, upstreams: [{ name: 'a', host: 'a', port: 1 }, { name: 'b', host: 'b', port: 1 }] })).toThrow(
      "chart/Db: local port for upstream 'b' (firstPort + 1) is 65536, not a port. Give an integer from 1 to 65535.",
    );
    expect(() => new Ambassador(chart, 'Db2', { workload, upstreams: [{ name: 'a', host: 'a', port: 0 }] })).toThrow(
      "chart/Db2: port of upstream 'a' is 0, not a port.",
    );
  });

  test('fails when an upstream host is not a host name', () => {
    const { chart, workload } = fixture();
    expect(() => new Ambassador(chart, 'Db', { workload, upstreams: [{ name: 'db', host: 'db; rm -rf /', port: 5432 }] })).toThrow(
      "chart/Db: host 'db; rm -rf /' of upstream 'db' is not a host name or IPv4 address.",
    );
  });

  test('fails when an upstream has no name, or one without a letter or digit', () => {
    const { chart, workload } = fixture();
    expect(() => new Ambassador(chart, 'Db', { workload, upstreams: [{ name: '', host: 'db', port: 5432 }] })).toThrow(
      `chart/Db: upstream {"name":"","host":"db","port":5432} has no name. Give each upstream a name such as 'shard-0'.`,
    );
    expect(() => new Ambassador(chart, 'Db2', { workload, upstreams: [{ name: '--', host: 'db', port: 5432 }] })).toThrow(
      "chart/Db2: upstream name '--' has no letter or digit, so it makes no env variable name (<NAME>_ADDR). Give a name with letters or digits, such as 'shard-0' (SHARD_0_ADDR).",
    );
  });

  test('the default forwarder listens on the loopback only, and is probed from inside', () => {
    const { chart, workload } = web(KubernetesVersion.V1_29);
    new Ambassador(chart, 'Db', { workload, upstreams: [{ name: 'db', host: 'db.data', port: 5432 }] });
    const ambassador = containerOf(specOf(chart), 'db');
    expect(ambassador.command[2]).toContain('nc -ll -p 9000 127.0.0.1 -e nc db.data 5432');
    expect(ambassador.startupProbe.exec.command).toEqual(['grep', '-q', ':2328 00000000:0000 0A', '/proc/net/tcp']);
  });

  test('a native ambassador gets a startupProbe on its port so the app starts once it listens', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_33);
    new Ambassador(chart, 'Db', { workload, firstPort: 6000, upstreams: [{ name: 'db', host: 'db', port: 5432 }] });
    // The forwarder listens on 127.0.0.1 only, which the kubelet's tcp probe (to the pod IP) cannot reach.
    expect(containerOf(specOf(chart), 'db').startupProbe).toEqual({
      exec: { command: ['grep', '-q', ':1770 00000000:0000 0A', '/proc/net/tcp'] },
      failureThreshold: 30,
      periodSeconds: 1,
    });
  });
});

describe('Ambassador with an image of your own', () => {
  test('a real proxy ambassador runs its entrypoint, adds the user ports to its listeners, and takes targets only it understands', () => {
    const { chart, workload } = web();
    const proxy = new Ambassador(chart, 'SqlProxy', {
      workload,
      image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0',
      args: ['--port=5432', 'my-project:europe-west1:orders'],
      firstPort: 5432,
      ports: [{ number: 9801, name: 'admin' }],
      upstreams: [{ name: 'orders-db', target: 'my-project:europe-west1:orders' }],
    });
    const container = containerOf(specOf(chart), 'sql-proxy');
    expect(container.command).toBeUndefined();
    expect(container.ports).toEqual([{ containerPort: 5432 }, { containerPort: 9801, name: 'admin' }]);
    expect(container.startupProbe).toBeUndefined();
    expect(proxy.listenPorts).toEqual([5432, 9801]);
    expect(containerOf(specOf(chart), 'app').env).toEqual([{ name: 'ORDERS_DB_ADDR', value: 'localhost:5432' }]);
  });

  test('the busybox forwarder can be asked for explicitly on another busybox-based image', () => {
    const { chart, workload } = web();
    const upstreams = [{ name: 'db', host: 'db.data', port: 5432 }];
    new Ambassador(chart, 'Db', { workload, image: 'registry.example.com/busybox:1.36', command: Ambassador.forwarderCommand(upstreams), upstreams });
    expect(containerOf(specOf(chart), 'db').command).toEqual(Ambassador.forwarderCommand(upstreams));
  });

  test('fails when the default forwarder is given a target only a real proxy understands', () => {
    const { chart, workload } = web();
    expect(() => new Ambassador(chart, 'Db', { workload, upstreams: [{ name: 'db', target: 'project:region:db' }] })).toThrow(
      "test/Db: upstream 'db' has target 'project:region:db', which the default busybox forwarder cannot use.",
    );
  });

  test('fails when a host is not a host name, naming target as the way to pass it', () => {
    const fixture = ruleFixture();
    const upstreams = [{ name: 'db', host: 'project:region:db', port: 5432 }];
    expect(() => new Ambassador(fixture.chart, 'Sql', { workload: webDeployment(fixture.chart), image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0', upstreams })).toThrow(
      "chart/Sql: host 'project:region:db' of upstream 'db' is not a host name or IPv4 address. " +
        "Pass what only your image understands (an instance name, a URL) as `target` instead: { name: 'db', target: 'project:region:db' }, and give it to your image in `args`.",
    );
  });
});
