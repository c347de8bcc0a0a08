import { execFileSync } from 'child_process';
import { existsSync } from 'fs';
import { delimiter, join } from 'path';
import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { AdapterExampleChart } from '../../lib/examples';
import { Adapter, AdapterSource, Sidecar } from '../../lib';
import { fixture } from '../support/rule-examples';
import { containerOf, expectAttachesToEveryWorkloadKind, onlyOf, podSpecOf, specOf, synthExample } from '../support/synth';
import { web } from '../support/workloads';

/** The busybox binary, what the pod runs: `busybox` on PATH, else /bin/busybox (CI installs busybox-static). */
const BUSYBOX = [...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'busybox')), '/bin/busybox'].find((file) => existsSync(file));

/** Runs an awk program with busybox's awk where busybox is installed, else the system's awk. */
function awk(program: string, input: string | Buffer): Buffer {
  const [command, ...args] = BUSYBOX ? [BUSYBOX, 'awk'] : ['awk'];
  return execFileSync(command, [...args, program], { input, maxBuffer: 1 << 26 });
}

describe('Adapter', () => {
  const { manifests, podSpec } = synthExample(AdapterExampleChart, 'adapter-example');
  const adapter = containerOf(podSpec, 'log-normalizer');

  test('example chart matches the snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('reads the app log through a shared emptyDir, read-only on its side', () => {
    expect(containerOf(podSpec, 'app').volumeMounts).toEqual([{ mountPath: '/var/log/app', name: 'shared-var-log-app-cf0b1e' }]);
    expect(adapter.volumeMounts).toEqual([{ mountPath: '/var/log/app', name: 'shared-var-log-app-cf0b1e', readOnly: true }]);
    // Stops at once on SIGTERM (sh as PID 1 ignores it unless trapped).
    expect(adapter.command[2]).toBe(`trap 'exit 0' TERM\ntail -F -n +1 '/var/log/app/app.log' | awk '${Adapter.LOG_LINE_TO_JSON}' &\nwait $!`);
  });

  test('turns raw log lines into JSON lines', () => {
    const out = awk(Adapter.LOG_LINE_TO_JSON, '2026-11-24T10:00:00 WARN disk "sda" almost full\n').toString();
    expect(JSON.parse(out)).toEqual({ time: '2026-11-24T10:00:00', level: 'warn', message: 'disk "sda" almost full' });
  });

  test('turns name: value stats into Prometheus lines and skips the rest', () => {
    expect(awk(Adapter.STATS_TO_PROMETHEUS, 'Active connections: 3\nrequests: 42\nnot a stat\n').toString()).toBe(
      'app_active_connections 3\napp_requests 42\n',
    );
  });

  test('quotes paths and transforms for the shell', () => {
    const chart = new Chart(Testing.app(), 'test');
    const pod = new kplus.Pod(chart, 'Pod', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
    new Adapter(chart, 'Quoted', { workload: pod, source: AdapterSource.logFile("/logs/it's.log"), transform: `{ print "it's " $0 }` });
    const command = containerOf(podSpecOf(onlyOf(Testing.synth(chart), 'Pod')), 'quoted').command[2];
    expect(command).toBe(`trap 'exit 0' TERM\ntail -F -n +1 '/logs/it'\\''s.log' | awk '{ print "it'\\''s " $0 }' &\nwait $!`);
  });

  test('gets the documented resources and the restricted security context', () => {
    expect(adapter.resources).toEqual({
      requests: { cpu: '50m', memory: '32Mi', 'ephemeral-storage': '64Mi' },
      limits: { cpu: '100m', memory: '64Mi', 'ephemeral-storage': '256Mi' },
    });
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

  test('an exporter adapter keeps its image entrypoint: args only, no source, no extra volume', () => {
    const { chart, workload } = web();
    const exporter = new Adapter(chart, 'Exporter', {
      workload,
      image: 'nginx/nginx-prometheus-exporter:1.3.0',
      args: ['--nginx.scrape-uri=http://127.0.0.1:8080/stub_status'],
      ports: [{ number: 9113, name: 'metrics' }],
    });
    const spec = specOf(chart);
    const container = containerOf(spec, 'exporter');
    expect(container.command).toBeUndefined();
    expect(container.args).toEqual(['--nginx.scrape-uri=http://127.0.0.1:8080/stub_status']);
    expect(container.volumeMounts).toBeUndefined();
    expect(spec.volumes).toBeUndefined();
    expect(exporter.listenPorts).toEqual([9113]);
  });

  test('fails when an adapter has no source', () => {
    const { chart, workload } = fixture();
    const props = { workload } as unknown as ConstructorParameters<typeof Adapter>[2];
    expect(() => new Adapter(chart, 'Logs', props)).toThrow(
      'chart/Logs: source is undefined. Give AdapterSource.logFile(path) or AdapterSource.statsEndpoint(port, path), or your own `image` (an exporter) that reads the app itself.',
    );
  });
});

describe('Adapter log file', () => {
  const attachTo = (filePath: string, mount?: string) => {
    const chart = new Chart(Testing.app(), 'test');
    const pod = new kplus.Pod(chart, 'Pod', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
    if (mount) pod.containers[0].mount(mount, kplus.Volume.fromEmptyDir(chart, 'LogVolume', 'logs'));
    return () => new Adapter(chart, 'Logs', { workload: pod, source: AdapterSource.logFile(filePath) });
  };

  test('fails when the log file path ends in /', () => {
    expect(attachTo('/var/log/app/')).toThrow(
      "test/Logs: log file '/var/log/app/' ends in '/', so it names a directory, which tail cannot follow. Give the file the app writes, e.g. '/var/log/app/app.log'.",
    );
  });

  test.each([
    ['there', '/var/log/app'],
    ['below it', '/var/log/app/nested'],
  ])('fails when the log file is a directory: the app mounts a volume %s', (_, mount) => {
    expect(attachTo('/var/log/app', mount)).toThrow(
      "test/Logs: log file '/var/log/app' is a directory in the app (the app mounts a volume or shared directory there or below it), which tail cannot follow. " +
        "Give the file the app writes in it, e.g. '/var/log/app/app.log'.",
    );
  });

  test('fails when the log file is a directory shared with the app', () => {
    const chart = new Chart(Testing.app(), 'test');
    const pod = new kplus.Pod(chart, 'Pod', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
    new Sidecar(chart, 'Shipper', { workload: pod, command: ['sh', '-c', 'sleep 3600'], sharedPath: '/var/log/app' });
    expect(() => new Adapter(chart, 'Logs', { workload: pod, source: AdapterSource.logFile('/var/log/app') })).toThrow("log file '/var/log/app' is a directory in the app");
  });

  test('reads a file in a directory the app mounts, sharing the file\'s directory below that mount', () => {
    const spec = podSpecOf(onlyOf(Testing.synth(Chart.of(attachTo('/var/log/app/app.log', '/var/log')())), 'Pod'));
    expect(containerOf(spec, 'logs').command[2]).toContain("tail -F -n +1 '/var/log/app/app.log'");
    expect(containerOf(spec, 'logs').volumeMounts).toEqual([{ mountPath: '/var/log/app', name: 'shared-var-log-app-cf0b1e', readOnly: true }]);
    expect(containerOf(spec, 'app').volumeMounts).toEqual([
      { mountPath: '/var/log', name: 'logs' },
      { mountPath: '/var/log/app', name: 'shared-var-log-app-cf0b1e' },
    ]);
  });

  test('fails when a log file sits at the root', () => {
    const { chart, workload } = web();
    expect(() => new Adapter(chart, 'Logs', { workload, source: AdapterSource.logFile('/app.log') })).toThrow(
      "test/Logs: log file '/app.log' is at the root: sharing its directory would mount an emptyDir over '/'.",
    );
  });
});

/** A field as bytes: anything but the bytes in `banned`, with quotes, backslashes, control characters and UTF-8 (valid or not) likely. */
const fieldBytes = (banned: number[], minLength: number) =>
  fc
    .array(
      fc.oneof(
        fc.fullUnicodeString({ maxLength: 4 }).map((s) => [...Buffer.from(s)]),
        fc.constantFrom('"', '\\', '\t', '\r', '\x01', '\x1b', '\x1f', '\x7f', 'é', '\u2028', '😀', 'LEVEL').map((s) => [...Buffer.from(s)]),
        fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 4 }),
      ),
      { minLength, maxLength: 12 },
    )
    .map((parts) => Buffer.from(parts.flat().map((byte) => (banned.includes(byte) ? 0x78 : byte))))
    .filter((bytes) => bytes.length >= minLength);

const NEWLINE = 0x0a;
const SPACE = 0x20;

/** `<time> <level> <message>`: time and level without spaces, the message not starting with one. */
const logLine = fc
  .tuple(fieldBytes([0, NEWLINE, SPACE], 1), fc.integer({ min: 1, max: 3 }), fieldBytes([0, NEWLINE, SPACE], 1), fc.integer({ min: 1, max: 2 }), fieldBytes([0, NEWLINE], 0))
  .map(([time, spaces, level, gap, message]) => ({
    time,
    level,
    message: message[0] === SPACE ? Buffer.concat([Buffer.from('m'), message]) : message,
    spaces,
    gap,
  }));

/** What a UTF-8 decoder reads from bytes (an invalid sequence as U+FFFD), as JSON.parse must give it back. */
const decoded = (bytes: Buffer): string => new TextDecoder('utf-8').decode(bytes);

describe('Adapter.LOG_LINE_TO_JSON on the real busybox awk', () => {
  const name = 'prints valid JSON (RFC 8259) for every input line and keeps time, level and message';
  (BUSYBOX ? test : test.skip)(BUSYBOX ? name : `${name} (skipped: no busybox binary on PATH or at /bin/busybox; apt-get install -y busybox-static)`, () => {
    let lines = 0;
    fc.assert(
      fc.property(fc.array(logLine, { minLength: 250, maxLength: 250 }), (generated) => {
        const input = Buffer.concat(
          generated.flatMap((l) => [l.time, Buffer.alloc(l.spaces, ' '), l.level, Buffer.alloc(l.gap, ' '), l.message, Buffer.from('\n')]),
        );
        const output = awk(Adapter.LOG_LINE_TO_JSON, input);
        // JSON text is UTF-8: the output must decode without a single replacement.
        const text = new TextDecoder('utf-8', { fatal: true }).decode(output);
        const printed = text.split('\n');
        expect(printed.pop()).toBe('');
        expect(printed).toHaveLength(generated.length);
        printed.forEach((line, i) => {
          const { time, level, message } = generated[i];
          expect(JSON.parse(line)).toEqual({ time: decoded(time), level: decoded(level).replace(/[A-Z]+/g, (s) => s.toLowerCase()), message: decoded(message) });
        });
        lines += printed.length;
      }),
      { numRuns: 5 },
    );
    expect(lines).toBeGreaterThanOrEqual(1000);
  });

  (BUSYBOX ? test : test.skip)('prints valid JSON for any bytes at all, NUL included (it ends a record in awk)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 100, maxLength: 100 }), (generated) => {
        const output = awk(Adapter.LOG_LINE_TO_JSON, Buffer.concat(generated.flatMap((bytes) => [Buffer.from(bytes), Buffer.from('\n')])));
        for (const line of new TextDecoder('utf-8', { fatal: true }).decode(output).split('\n').slice(0, -1)) {
          expect(Object.keys(JSON.parse(line))).toEqual(['time', 'level', 'message']);
        }
      }),
      { numRuns: 3 },
    );
  });
});
