import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Adapter, AdapterSource, Ambassador, containerResources, InitSteps, Sidecar } from '../lib';
import { EXAMPLE_APP_RESOURCES } from '../lib/examples/example-workload';

/** A chart with a Deployment whose app container is valid, and the app around it. */
function fixture(appProps: Partial<kplus.ContainerProps> = {}): { app: App; chart: Chart; workload: kplus.Deployment } {
  const app = Testing.app();
  const chart = new Chart(app, 'test');
  const workload = new kplus.Deployment(chart, 'Web', {
    containers: [{ name: 'app', image: 'busybox:1.36', resources: EXAMPLE_APP_RESOURCES, ...appProps }],
  });
  return { app, chart, workload };
}

/** The error synthesis throws, before anything is written. */
function synthError(app: App): string {
  try {
    app.synthYaml();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('synth did not fail');
}

describe('rules checked at synth time', () => {
  test('a valid composition synthesizes without error', () => {
    const { app, workload } = fixture();
    new Sidecar(app.charts[0], 'LogShipper', { workload, sharedPath: '/var/log/app' });
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('fails when a container name is not a DNS-1123 label', () => {
    const { app, chart, workload } = fixture();
    new Sidecar(chart, 'Shipper', { workload, name: 'Log_Shipper' });
    expect(synthError(app)).toContain(
      "[test/Web/MultiContainerPatterns] container 'Log_Shipper' (added by test/Shipper): name is not a DNS-1123 label. Use at most 63 lower-case letters",
    );
  });

  test('fails when two containers share a name across init and app containers', () => {
    const { app, chart, workload } = fixture();
    new InitSteps(chart, 'Init', { workload, handOff: false, steps: [{ name: 'app' }] });
    expect(synthError(app)).toContain("container name 'app' is used twice. Give each init and app container a name of its own.");
  });

  test('fails when two containers listen on one port', () => {
    const { app, chart, workload } = fixture({ ports: [{ number: 9000 }] });
    new Ambassador(chart, 'Db', { workload, upstreams: [{ name: 'db', host: 'db', port: 5432 }] });
    expect(synthError(app)).toContain(
      "port 9000 is declared by containers 'app' and 'db', which share the pod's localhost. Give each container its own port",
    );
  });

  test('fails when a container mounts a volume the pod does not have', () => {
    const { app, chart, workload } = fixture();
    new Sidecar(chart, 'Shipper', { workload });
    ApiObject.of(workload).addJsonPatch(
      JsonPatch.add('/spec/template/spec/containers/0/volumeMounts', [{ name: 'ghost', mountPath: '/data' }]),
    );
    expect(synthError(app)).toContain("container 'app': mounts volume 'ghost' at /data, which the pod does not have.");
  });

  test('fails when two volumes are mounted on one path in a container', () => {
    const { app, chart, workload } = fixture();
    const other = kplus.Volume.fromEmptyDir(chart, 'Other', 'other');
    workload.containers[0].mount('/var/log/app', other);
    new Sidecar(chart, 'Shipper', { workload, sharedPath: '/var/log/app' });
    expect(synthError(app)).toContain("container 'app': two volumes are mounted at /var/log/app. Mount each path once");
  });

  test('fails when a request is above its limit', () => {
    const { app, chart, workload } = fixture();
    new Sidecar(chart, 'Shipper', { workload, resources: containerResources(500, 100, 32, 64) });
    expect(synthError(app)).toContain(
      "container 'shipper' (added by test/Shipper): cpu request 500m is above its limit 100m. Lower the request or raise the limit.",
    );
  });

  test('fails when cpu or memory requests or limits are missing', () => {
    const { app, chart, workload } = fixture();
    new Sidecar(chart, 'Shipper', { workload, resources: { cpu: containerResources(50, 100, 1, 1).cpu } });
    const message = synthError(app);
    expect(message).toContain("container 'shipper' (added by test/Shipper): memory request is missing. Give resources.memory a request and a limit");
    expect(message).toContain('memory limit is missing');
  });

  test('fails when a run-to-completion init container has a probe', () => {
    const { app, chart, workload } = fixture();
    new InitSteps(chart, 'Init', { workload, steps: [{ name: 'migrate', portNumber: 8080 }] });
    expect(synthError(app)).toContain(
      "container 'migrate' (added by test/Init): an init container that runs to completion cannot have startupProbe. Remove it (a port given as portNumber adds a startup probe: use ports instead)",
    );
  });

  test('fails when a run-to-completion init container has lifecycle hooks', () => {
    const { app, chart, workload } = fixture();
    new InitSteps(chart, 'Init', {
      workload,
      steps: [{ name: 'migrate', lifecycle: { preStop: kplus.Handler.fromCommand(['true']) } }],
    });
    expect(synthError(app)).toContain("container 'migrate' (added by test/Init): an init container that runs to completion cannot have lifecycle.");
  });

  test('fails when an image reference is empty', () => {
    const { app, chart, workload } = fixture();
    new Sidecar(chart, 'Shipper', { workload, image: ' ' });
    expect(synthError(app)).toContain("container 'shipper' (added by test/Shipper): image is empty. Give an image reference such as 'busybox:1.36'.");
  });

  test('fails when an image reference is malformed', () => {
    const { app, chart, workload } = fixture();
    new Sidecar(chart, 'Shipper', { workload, image: 'Busybox:1.36!' });
    expect(synthError(app)).toContain("container 'shipper' (added by test/Shipper): image 'Busybox:1.36!' is not a valid image reference.");
  });

  test('fails when an env name is invalid', () => {
    const { app, chart, workload } = fixture();
    new Sidecar(chart, 'Shipper', { workload, envVariables: { '1LEVEL': kplus.EnvValue.fromValue('x') } });
    expect(synthError(app)).toContain("container 'shipper' (added by test/Shipper): env name '1LEVEL' is invalid.");
  });

  test('fails when an env name is set twice in a container', () => {
    const { app, chart, workload } = fixture({ envVariables: { MODE: kplus.EnvValue.fromValue('a') } });
    new Sidecar(chart, 'Shipper', { workload });
    ApiObject.of(workload).addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/env/-', { name: 'MODE', value: 'b' }));
    expect(synthError(app)).toContain("container 'app': env 'MODE' is set twice. Set each variable once");
  });

  test('fails when a label key is invalid', () => {
    const { app, chart, workload } = fixture();
    new Sidecar(chart, 'Shipper', { workload });
    workload.podMetadata.addLabel('team name', 'web');
    expect(synthError(app)).toContain("pod template label key 'team name' is invalid.");
  });

  test('fails when a label value is invalid', () => {
    const { app, chart, workload } = fixture();
    new Sidecar(chart, 'Shipper', { workload });
    workload.metadata.addLabel('team', 'web team');
    expect(synthError(app)).toContain("Deployment label 'team' has value 'web team', which is not a label value.");
  });

  test('fails when an annotation key is invalid', () => {
    const { app, chart, workload } = fixture();
    new Sidecar(chart, 'Shipper', { workload });
    workload.podMetadata.addAnnotation('-bad/', 'x');
    expect(synthError(app)).toContain("pod template annotation key '-bad/' is invalid.");
  });

  test('fails when two ports share a name', () => {
    const { app, chart, workload } = fixture({ ports: [{ number: 8080, name: 'metrics' }] });
    new Adapter(chart, 'Metrics', { workload, source: AdapterSource.statsEndpoint(8080) });
    expect(synthError(app)).toContain("port name 'metrics' is used twice in the pod. Give each named port a name of its own.");
  });

  test('fails when an ambassador has no upstreams', () => {
    const { chart, workload } = fixture();
    expect(() => new Ambassador(chart, 'Db', { workload, upstreams: [] })).toThrow(
      'test/Db: upstreams is empty. Give at least one { name, host, port } to forward to.',
    );
  });

  test('fails when an ambassador port is out of range', () => {
    const { chart, workload } = fixture();
    expect(() => new Ambassador(chart, 'Db', { workload, port: 65535, upstreams: [{ name: 'a', host: 'a', port: 1 }, { name: 'b', host: 'b', port: 1 }] })).toThrow(
      "test/Db: local port for upstream 'b' is 65536, out of range. Use a port from 1 to 65535",
    );
    expect(() => new Ambassador(chart, 'Db2', { workload, upstreams: [{ name: 'a', host: 'a', port: 0 }] })).toThrow(
      "test/Db2: port of upstream 'a' is 0, out of range.",
    );
  });

  test('fails when an upstream host is not a host name', () => {
    const { chart, workload } = fixture();
    expect(() => new Ambassador(chart, 'Db', { workload, upstreams: [{ name: 'db', host: 'db; rm -rf /', port: 5432 }] })).toThrow(
      "test/Db: host 'db; rm -rf /' of upstream 'db' is not a host name or IPv4 address.",
    );
  });

  test('fails when an adapter has no source', () => {
    const { chart, workload } = fixture();
    const props = { workload } as unknown as ConstructorParameters<typeof Adapter>[2];
    expect(() => new Adapter(chart, 'Logs', props)).toThrow(
      'test/Logs: source is undefined. Give AdapterSource.logFile(path) or AdapterSource.statsEndpoint(port, path).',
    );
  });

  test('warns, and goes on, when an image has no tag or the latest tag', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    warn.mockClear();
    const { app, chart, workload } = fixture({ image: 'busybox' });
    new Sidecar(chart, 'Shipper', { workload, image: 'busybox:latest' });
    expect(() => app.synthYaml()).not.toThrow();
    expect(warn.mock.calls.map(([message]) => message)).toEqual([
      "Warning: [test/Web] container 'app': image 'busybox' can change under the same name. Pin a tag (e.g. 'busybox:1.36') or a digest ('busybox@sha256:...').",
      "Warning: [test/Web] container 'shipper' (added by test/Shipper): image 'busybox:latest' can change under the same name. Pin a tag (e.g. 'busybox:1.36') or a digest ('busybox@sha256:...').",
    ]);
  });
});
