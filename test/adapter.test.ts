import { execFileSync } from 'child_process';
import { existsSync } from 'fs';
import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { AdapterExampleChart } from '../lib/examples';
import { Adapter, AdapterSource } from '../lib';
import { containerOf, expectAttachesToEveryWorkloadKind, onlyOf, podSpecOf } from './support/synth';

/** Runs an awk program with busybox's awk, what the pod runs, where busybox is installed. */
function awk(program: string, input: string): string {
  const [command, ...args] = existsSync('/bin/busybox') ? ['/bin/busybox', 'awk'] : ['awk'];
  return execFileSync(command, [...args, program], { input }).toString();
}

describe('Adapter', () => {
  const manifests = Testing.synth(new AdapterExampleChart(Testing.app(), 'adapter-example'));
  const podSpec = podSpecOf(onlyOf(manifests, 'Deployment'));
  const adapter = containerOf(podSpec, 'log-normalizer');

  test('example chart matches the snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('reads the app log through a shared emptyDir, read-only on its side', () => {
    expect(containerOf(podSpec, 'app').volumeMounts).toEqual([{ mountPath: '/var/log/app', name: 'shared-var-log-app-cf0b1e' }]);
    expect(adapter.volumeMounts).toEqual([{ mountPath: '/var/log/app', name: 'shared-var-log-app-cf0b1e', readOnly: true }]);
    expect(adapter.command[2]).toBe(`tail -F -n +1 '/var/log/app/app.log' | awk '${Adapter.LOG_LINE_TO_JSON}'`);
  });

  test('turns raw log lines into JSON lines', () => {
    const out = awk(Adapter.LOG_LINE_TO_JSON, '2026-11-24T10:00:00 WARN disk "sda" almost full\n');
    expect(JSON.parse(out)).toEqual({ time: '2026-11-24T10:00:00', level: 'warn', message: 'disk "sda" almost full' });
  });

  test('turns name: value stats into Prometheus lines and skips the rest', () => {
    expect(awk(Adapter.STATS_TO_PROMETHEUS, 'Active connections: 3\nrequests: 42\nnot a stat\n')).toBe(
      'app_active_connections 3\napp_requests 42\n',
    );
  });

  test('quotes paths and transforms for the shell', () => {
    const chart = new Chart(Testing.app(), 'test');
    const pod = new kplus.Pod(chart, 'Pod', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
    new Adapter(chart, 'Quoted', { workload: pod, source: AdapterSource.logFile("/logs/it's.log"), transform: `{ print "it's " $0 }` });
    const command = containerOf(podSpecOf(onlyOf(Testing.synth(chart), 'Pod')), 'quoted').command[2];
    expect(command).toBe(`tail -F -n +1 '/logs/it'\\''s.log' | awk '{ print "it'\\''s " $0 }'`);
  });

  test('gets the documented resources and the restricted security context', () => {
    expect(adapter.resources).toEqual({ requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } });
    expect(adapter.securityContext).toMatchObject({ runAsUser: 65534, readOnlyRootFilesystem: true });
  });

  test('a stats endpoint is polled and served as metrics on a port from a private emptyDir', () => {
    const chart = new Chart(Testing.app(), 'test');
    const pod = new kplus.Pod(chart, 'Pod', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
    new Adapter(chart, 'Metrics', { workload: pod, source: AdapterSource.statsEndpoint(8080, '/stats'), pollInterval: Duration.seconds(5) });
    const spec = podSpecOf(onlyOf(Testing.synth(chart), 'Pod'));
    const metrics = containerOf(spec, 'metrics');
    expect(metrics.ports).toEqual([{ containerPort: 9100, name: 'metrics' }]);
    expect(metrics.command[2]).toContain('httpd -f -p 9100 -h /srv/adapter &');
    expect(metrics.command[2]).toContain("wget -q -O - 'http://127.0.0.1:8080/stats'");
    expect(metrics.command[2]).toContain('sleep 5');
    expect(metrics.volumeMounts).toEqual([{ mountPath: '/srv/adapter', name: 'metrics-published' }]);
    expect(containerOf(spec, 'app').volumeMounts).toBeUndefined();
  });

  test('attaches to every workload kind defined in another chart', () => {
    expectAttachesToEveryWorkloadKind(
      (scope, workload) => new Adapter(scope, 'LogNormalizer', { workload, source: AdapterSource.logFile('/logs/app.log') }),
      (spec) => {
        expect(containerOf(spec, 'log-normalizer').volumeMounts[0].mountPath).toBe('/logs');
        expect(containerOf(spec, 'app').volumeMounts).toEqual([{ mountPath: '/logs', name: 'shared-logs-941e5b' }]);
      },
    );
  });
});
