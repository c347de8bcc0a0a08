import { ApiObject, Chart, Duration, JsonPatch, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { Adapter, AdapterSource, Ambassador, InitSteps, KubernetesTarget, KubernetesVersion, PodComposition, Sidecar } from '../lib';
import { EXAMPLE_APP_RESOURCES } from '../lib/examples/example-workload';
import { RestrictedSecurity } from '../lib/patterns/container-defaults';
import { validateManifests } from './support/kubernetes-schema';
import { restrictedViolations } from './support/pss';
import { containerOf, KEEP_RUNNING, Manifest, podSpecOf } from './support/synth';

function web(version = KubernetesVersion.V1_27) {
  const chart = new Chart(Testing.app(), 'test');
  KubernetesTarget.set(chart, version);
  const workload = new kplus.Deployment(chart, 'Web', {
    metadata: { name: 'web' },
    securityContext: RestrictedSecurity.POD,
    containers: [{ name: 'app', image: 'busybox:1.36', command: KEEP_RUNNING, resources: EXAMPLE_APP_RESOURCES, securityContext: RestrictedSecurity.container() }],
  });
  return { chart, workload };
}

const specOf = (chart: Chart): Manifest => podSpecOf(Testing.synth(chart).find((m) => m.kind === 'Deployment')!);

/** Props as a JavaScript caller could pass them, past the type checker. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const untyped = (props: Record<string, unknown>): any => props;

describe('no stale state: rendering is a function of the tree at the time of the call', () => {
  test('a pattern attached after a render appears in the next render', () => {
    const { chart, workload } = web();
    new Sidecar(chart, 'First', { workload, command: KEEP_RUNNING });
    expect(specOf(chart).containers.map((c: Manifest) => c.name)).toEqual(['app', 'first']);
    new Sidecar(chart, 'Second', { workload, command: KEEP_RUNNING });
    expect(specOf(chart).containers.map((c: Manifest) => c.name)).toEqual(['app', 'first', 'second']);
  });

  test('a rule broken after a successful synth fails the next synth', () => {
    const { chart, workload } = web();
    new Sidecar(chart, 'First', { workload, command: KEEP_RUNNING });
    Testing.synth(chart);
    new Sidecar(chart, 'Clash', { workload, command: KEEP_RUNNING, name: 'first' });
    expect(() => Testing.synth(chart)).toThrow("container name 'first' is used twice");
  });

  test('chart.toJson() twice in one tick, then a new pattern: the app synth sees it', () => {
    const { chart, workload } = web();
    chart.toJson();
    chart.toJson();
    new Sidecar(chart, 'Late', { workload, command: KEEP_RUNNING });
    expect(containerOf(specOf(chart), 'late').name).toBe('late');
  });
});

describe('JSON patches override what the library sets', () => {
  const patched = (patches: JsonPatch[]) => {
    const { chart, workload } = web(KubernetesVersion.V1_29);
    new Sidecar(chart, 'Shipper', { workload, command: KEEP_RUNNING, sharedPath: '/var/log/app', ports: [{ number: 9000 }] });
    PodComposition.of(workload).shareProcessNamespace();
    ApiObject.of(workload).addJsonPatch(...patches);
    return Testing.synth(chart)[0].spec.template;
  };

  test.each([
    // Made a run-to-completion init container again: its probe must go too, or the rules refuse it.
    ['a native sidecar restartPolicy', [JsonPatch.remove('/spec/template/spec/initContainers/0/restartPolicy'), JsonPatch.remove('/spec/template/spec/initContainers/0/startupProbe')], (t: Manifest) => t.spec.initContainers[0].restartPolicy, undefined],
    ['its generated startupProbe', [JsonPatch.remove('/spec/template/spec/initContainers/0/startupProbe')], (t: Manifest) => t.spec.initContainers[0].startupProbe, undefined],
    ['the pod seccompProfile', [JsonPatch.replace('/spec/template/spec/securityContext/seccompProfile', { type: 'Localhost', localhostProfile: 'p.json' })], (t: Manifest) => t.spec.securityContext.seccompProfile.type, 'Localhost'],
    ['shareProcessNamespace', [JsonPatch.replace('/spec/template/spec/shareProcessNamespace', false)], (t: Manifest) => t.spec.shareProcessNamespace, false],
    ['the default-container annotation', [JsonPatch.replace('/spec/template/metadata/annotations/kubectl.kubernetes.io~1default-container', 'shipper')], (t: Manifest) => t.metadata.annotations['kubectl.kubernetes.io/default-container'], 'shipper'],
    ['a shared volume', [JsonPatch.replace('/spec/template/spec/volumes/0/emptyDir', { medium: 'Memory' })], (t: Manifest) => t.spec.volumes[0].emptyDir.medium, 'Memory'],
  ])('%s', (_field, patches, read, expected) => {
    expect(read(patched(patches))).toEqual(expected);
  });
});

describe('paths are checked and normalized', () => {
  test.each([
    ['relative', 'var/log/app', "test/Shipper: shared path 'var/log/app' is not an absolute path without '..'."],
    ['with ..', '/var/log/../../etc', "test/Shipper: shared path '/var/log/../../etc' is not an absolute path without '..'."],
    ['the root', '//', "test/Shipper: shared path is '/', which would hide the image's whole file system."],
  ])('fails when a shared path is %s', (_what, sharedPath, message) => {
    const { chart, workload } = web();
    expect(() => new Sidecar(chart, 'Shipper', { workload, command: KEEP_RUNNING, sharedPath })).toThrow(message);
  });

  test('fails when a log file sits at the root', () => {
    const { chart, workload } = web();
    expect(() => new Adapter(chart, 'Logs', { workload, source: AdapterSource.logFile('/app.log') })).toThrow(
      "test/Logs: log file '/app.log' is at the root: sharing its directory would mount an emptyDir over '/'.",
    );
  });

  test('paths that slug alike get volumes of their own', () => {
    const { chart, workload } = web();
    new Sidecar(chart, 'One', { workload, command: KEEP_RUNNING, sharedPath: '/var/log/app' });
    new Sidecar(chart, 'Two', { workload, command: KEEP_RUNNING, sharedPath: '/var/log-app' });
    const names = specOf(chart).volumes.map((v: Manifest) => v.name);
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
  });

  test('a trailing slash names the same directory', () => {
    const { chart, workload } = web();
    new Sidecar(chart, 'One', { workload, command: KEEP_RUNNING, sharedPath: '/var/log/app/' });
    new Adapter(chart, 'Logs', { workload, source: AdapterSource.logFile('/var/log/app/app.log') });
    expect(specOf(chart).volumes).toHaveLength(1);
  });
});

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
});

describe('input from JavaScript', () => {
  test.each([
    ['workload undefined', () => new Sidecar(web().chart, 'S', untyped({ command: KEEP_RUNNING })), 'test/S: workload is undefined, not a cdk8s-plus-27 workload.'],
    ['props undefined', () => new Sidecar(web().chart, 'S', untyped(undefined as never)), 'test/S: props is undefined. Give an object with at least `workload`.'],
    ['upstreams not an array', () => {
      const { chart, workload } = web();
      return new Ambassador(chart, 'A', untyped({ workload, upstreams: { name: 'db' } }));
    }, 'test/A: upstreams is {"name":"db"}. Give an array of at least one { name, host, port } to forward to.'],
    ['a port given as a string', () => {
      const { chart, workload } = web();
      return new Ambassador(chart, 'A', untyped({ workload, firstPort: '9000', upstreams: [{ name: 'db', host: 'db', port: 1 }] }));
    }, "test/A: firstPort is '9000', not a port. Give an integer from 1 to 65535."],
    ['a string metricsPort', () => {
      const { chart, workload } = web();
      return new Adapter(chart, 'M', untyped({ workload, source: AdapterSource.statsEndpoint(8080), metricsPort: '9100; rm -rf /' }));
    }, "test/M: metricsPort is '9100; rm -rf /', not a port."],
    ['command not an array', () => {
      const { chart, workload } = web();
      return new Sidecar(chart, 'S', untyped({ workload, command: 'tail -F /x' }));
    }, "test/S: command is 'tail -F /x', not an array of strings."],
    ['command empty on busybox without args', () => {
      const { chart, workload } = web();
      return new Ambassador(chart, 'A', { workload, command: [], upstreams: [{ name: 'db', host: 'db', port: 5432 }] });
    }, "test/A: command is [], which Kubernetes reads as none, so busybox's sh would run and exit at once."],
    ['an init step whose program is blank', () => {
      const { chart, workload } = web();
      return new InitSteps(chart, 'I', { workload, steps: [{ name: 'migrate', command: [' ', 'up'] }] });
    }, 'test/I: command is [" ","up"], whose program name is blank, which no runtime can execute.'],
    ['steps not an array', () => {
      const { chart, workload } = web();
      return new InitSteps(chart, 'I', untyped({ workload, steps: 'migrate' }));
    }, "test/I: steps is 'migrate', not an array."],
    ['drainTime given as a number', () => {
      const { chart, workload } = web();
      return new Sidecar(chart, 'S', untyped({ workload, command: KEEP_RUNNING, drainTime: 5 }));
    }, 'test/S: drainTime is 5. Give a Duration such as Duration.seconds(5).'],
    ['mode misspelled', () => {
      const { chart, workload } = web();
      return new Sidecar(chart, 'S', untyped({ workload, command: KEEP_RUNNING, mode: 'Native' }));
    }, "test/S: mode is 'Native'. Give SidecarMode.CLASSIC or SidecarMode.NATIVE."],
    ['handOff given as a string', () => {
      const { chart, workload } = web();
      return new InitSteps(chart, 'I', untyped({ workload, handOff: 'false' }));
    }, "test/I: handOff is 'false'. Give true or false."],
  ])('fails when %s', (_what, create, message) => {
    expect(create).toThrow(message);
  });
});

describe('least privilege on the network', () => {
  test('the default forwarder listens on the loopback only, and is probed from inside', () => {
    const { chart, workload } = web(KubernetesVersion.V1_29);
    new Ambassador(chart, 'Db', { workload, upstreams: [{ name: 'db', host: 'db.data', port: 5432 }] });
    const ambassador = containerOf(specOf(chart), 'db');
    expect(ambassador.command[2]).toContain('nc -ll -p 9000 127.0.0.1 -e nc db.data 5432');
    expect(ambassador.startupProbe.exec.command).toEqual(['grep', '-q', ':2328 00000000:0000 0A', '/proc/net/tcp']);
  });
});

describe('properties: careless paths and ports give a clear error or a valid pod', () => {
  const pathPart = fc.stringOf(fc.constantFrom('a', 'b', '-', '.', '..', '/', ' ', '_', 'Z'), { maxLength: 12 });
  test('any sharedPath and port: a construct-path error, or schema-valid PSS-restricted output', () => {
    fc.assert(
      fc.property(pathPart, fc.oneof(fc.integer({ min: -5, max: 70000 }), fc.constant(9000)), (sharedPath, port) => {
        const { chart, workload } = web();
        try {
          new Sidecar(chart, 'Shipper', { workload, command: KEEP_RUNNING, sharedPath });
          new Ambassador(chart, 'Db', { workload, port, upstreams: [{ name: 'db', host: 'db', port: 5432 }] });
        } catch (error) {
          expect((error as Error).message).toMatch(/^test\/(Shipper|Db): .*(Give|Name|Mount|Put)/);
          return;
        }
        const manifests = Testing.synth(chart);
        expect(validateManifests(manifests, '1.27')).toEqual([]);
        expect(restrictedViolations('Deployment', podSpecOf(manifests[0]))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('found by a second read', () => {
  test('a native sidecar whose first port is UDP is probed on its first TCP port, or not at all', () => {
    const { chart, workload } = web(KubernetesVersion.V1_29);
    const udp = (number: number) => ({ number, protocol: kplus.Protocol.UDP });
    new Sidecar(chart, 'Statsd', { workload, image: 'prom/statsd-exporter:v0.26.0', ports: [udp(9125), { number: 9102 }] });
    new Sidecar(chart, 'Dns', { workload, image: 'coredns/coredns:1.11.1', ports: [udp(53)] });
    const spec = specOf(chart);
    expect(containerOf(spec, 'statsd').startupProbe.tcpSocket).toEqual({ port: 9102 });
    expect(containerOf(spec, 'dns').startupProbe).toBeUndefined();
  });

  test.each([
    ['drainTime is not whole seconds', (c: Chart, w: kplus.Deployment) => new Sidecar(c, 'S', { workload: w, command: KEEP_RUNNING, drainTime: Duration.millis(500) }), 'test/S: drainTime is 500 ms. Give a whole number of seconds, at least 1'],
    ['pollInterval is not whole seconds', (c: Chart, w: kplus.Deployment) => new Adapter(c, 'M', { workload: w, source: AdapterSource.statsEndpoint(8080), pollInterval: Duration.millis(1500) }), 'test/M: pollInterval is 1500 ms.'],
    ['a user port names a listener otherwise', (c: Chart, w: kplus.Deployment) => new Adapter(c, 'M', { workload: w, source: AdapterSource.statsEndpoint(8080), ports: [{ number: 9100, name: 'prom' }] }),
      "test/M: port 9100/TCP is declared twice with different names, 'metrics' and 'prom' (the pattern listens on it already; your `ports` are added to the pattern's). Give it one name, or leave the name out in one of them."],
    ['two user ports share a number under two names', (c: Chart, w: kplus.Deployment) => new Sidecar(c, 'S', { workload: w, command: KEEP_RUNNING, portNumber: 8081, ports: [{ number: 8081, name: 'a' }, { number: 8081, name: 'b' }] }),
      "test/S: port 8081/TCP is declared twice with different names, 'a' and 'b'. Give it one name, or leave the name out in one of them."],
    ['two ports share a name (found by the careless-compositions property)', (c: Chart, w: kplus.Deployment) => new Sidecar(c, 'S', { workload: w, command: KEEP_RUNNING, ports: [{ number: 8081, name: 'web' }, { number: 8082, name: 'web' }] }),
      "test/S: port name 'web' is given to two ports, 8081/TCP and 8082/TCP; a container's port names must differ. Give each port its own name, or leave the name out."],
    ['a dependency is a container of another workload', (c: Chart, w: kplus.Deployment) => {
      const other = new kplus.Deployment(c, 'Other', { containers: [{ name: 'proxy', image: 'busybox:1.36', resources: EXAMPLE_APP_RESOURCES }] });
      PodComposition.of(w).addDependency(w.containers[0], other.containers[0]);
    }, "test/Web: the dependency 'proxy' is not a container of workload test/Web."],
    ['pod-level resources miss an amount', (_c: Chart, w: kplus.Deployment) => PodComposition.of(w).usePodLevelResources(untyped({ requests: { cpuMillis: 100 }, limits: { cpuMillis: 200, memoryMebibytes: 64 } })),
      'test/Web: usePodLevelResources requests.memoryMebibytes is undefined. Give whole, non-negative numbers'],
    ['two InitSteps both hand off', (c: Chart, w: kplus.Deployment) => {
      new InitSteps(c, 'A', { workload: w, steps: [] });
      new InitSteps(c, 'B', { workload: w, handOffPath: '/other', steps: [] });
    }, 'test/B: env HANDOFF_DIR of container \'app\' is already set by test/A. Give one InitSteps handOff: false, or add the steps to the first with addStep.'],
  ])('fails when %s, naming the construct and the fix', (_what, build, message) => {
    const { chart, workload } = web();
    expect(() => build(chart, workload)).toThrow(message);
  });

  test('an empty command is kept where it means the image entrypoint or runs the args', () => {
    const { chart, workload } = web();
    new Sidecar(chart, 'Own', { workload, image: 'fluent/fluent-bit:3.1', command: [] });
    new Sidecar(chart, 'Args', { workload, command: [], args: ['sleep', '3600'] });
    const containers = specOf(chart).containers;
    expect(containers.find((c: { name: string }) => c.name === 'own')).toMatchObject({ command: [] });
    expect(containers.find((c: { name: string }) => c.name === 'args')).toMatchObject({ command: [], args: ['sleep', '3600'] });
  });

  test.each([
    ['a size limit that is NaN', { sizeLimit: Size.mebibytes(NaN) }, "test/S: sizeLimit of shared directory /cache renders as 'NaNKi', which is not a Kubernetes quantity. Give a finite Size, e.g. Size.mebibytes(64)."],
    ['a size limit that is infinite', { sizeLimit: Size.gibibytes(Infinity) }, "renders as 'InfinityKi', which is not a Kubernetes quantity."],
    ['a size limit that is a number', untyped({ sizeLimit: 64 }), 'test/S: sizeLimit of shared directory /cache is 64, not a Size. Give e.g. Size.mebibytes(64).'],
    ['a medium Kubernetes does not know', untyped({ medium: 'RAM' }), "test/S: medium 'RAM' of shared directory /cache is not one Kubernetes knows. Give EmptyDirMedium.MEMORY, 'HugePages' or 'HugePages-2Mi', or leave it out for the node's disk."],
  ])('fails when the shared emptyDir has %s', (_what, sharedVolume, message) => {
    const { chart, workload } = web();
    expect(() => new Sidecar(chart, 'S', { workload, command: KEEP_RUNNING, sharedPath: '/cache', sharedVolume })).toThrow(message);
  });

  test('huge pages media Kubernetes knows are kept (from JavaScript, past the EmptyDirMedium type)', () => {
    const { chart, workload } = web();
    new Sidecar(chart, 'S', { workload, command: KEEP_RUNNING, sharedPath: '/cache', sharedVolume: untyped({ medium: 'HugePages-2Mi' }) });
    expect(specOf(chart).volumes[0].emptyDir).toEqual({ medium: 'HugePages-2Mi' });
  });

  test('a size limit that is not whole mebibytes renders in Ki, fractions and zero as Kubernetes reads them', () => {
    const sizeLimitOf = (sizeLimit: Size) => {
      const { chart, workload } = web();
      new Sidecar(chart, 'S', { workload, command: KEEP_RUNNING, sharedPath: '/cache', sharedVolume: { sizeLimit } });
      return specOf(chart).volumes[0].emptyDir.sizeLimit;
    };
    expect(sizeLimitOf(Size.kibibytes(1536))).toBe('1536Ki');
    expect(sizeLimitOf(Size.kibibytes(0.5))).toBe('0.5Ki');
    expect(sizeLimitOf(Size.gibibytes(0.3))).toBe('314572.8Ki');
    expect(sizeLimitOf(Size.mebibytes(0))).toBe('0Mi');
  });

  test('backing options of a shared directory give the same result in either order', () => {
    const render = (first: 'sidecar' | 'init') => {
      const { chart, workload } = web();
      const sidecar = () => new Sidecar(chart, 'S', { workload, command: KEEP_RUNNING, sharedPath: '/s' });
      const init = () => new InitSteps(chart, 'I', { workload, handOffPath: '/s', handOffVolume: { medium: kplus.EmptyDirMedium.MEMORY }, steps: [] });
      if (first === 'sidecar') { sidecar(); init(); } else { init(); sidecar(); }
      return specOf(chart).volumes;
    };
    expect(render('sidecar')).toEqual(render('init'));
    expect(render('sidecar')[0].emptyDir).toEqual({ medium: 'Memory' });
  });

  test('fails with the workload path when a JSON patch does not apply to the rendered manifest', () => {
    const { chart, workload } = web(KubernetesVersion.V1_29);
    new Sidecar(chart, 'S', { workload, command: KEEP_RUNNING });
    ApiObject.of(workload).addJsonPatch(JsonPatch.add('/spec/template/spec/containers/1/args', ['x']));
    expect(() => Testing.synth(chart)).toThrow(
      'test/Web: a JSON patch on this workload does not apply to its manifest (',
    );
  });
});
