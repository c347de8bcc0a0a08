import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { Adapter, AdapterSource, Ambassador, InitSteps, PodComposition, Resources, Sidecar } from '../../lib';
import { validateManifests } from '../support/kubernetes-schema';
import { restrictedViolations } from '../support/pss';
import { containerOf, KEEP_RUNNING, Manifest, podSpecOf, specOf } from '../support/synth';
import { untyped, web } from '../support/workloads';

describe('paths are checked and normalized', () => {
  test.each([
    ['relative', 'var/log/app', "test/Shipper: shared path 'var/log/app' is not an absolute path without '..'."],
    ['with ..', '/var/log/../../etc', "test/Shipper: shared path '/var/log/../../etc' is not an absolute path without '..'."],
    ['the root', '//', "test/Shipper: shared path is '/', which would hide the image's whole file system."],
  ])('fails when a shared path is %s', (_what, sharedPath, message) => {
    const { chart, workload } = web();
    expect(() => new Sidecar(chart, 'Shipper', { workload, command: KEEP_RUNNING, sharedPath })).toThrow(message);
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

describe('shared directories as users need them', () => {
  test('attach order never decides whether the app can write its log directory', () => {
    const mountsAfter = (attach: ((c: Chart, w: kplus.Deployment) => void)[]) => {
      const { chart, workload } = web();
      for (const pattern of attach) pattern(chart, workload);
      return containerOf(specOf(chart), 'app').volumeMounts;
    };
    const readOnlyInApp = (c: Chart, w: kplus.Deployment) =>
      new Sidecar(c, 'Syncer', { workload: w, command: KEEP_RUNNING, sharedPath: '/var/log/app', appSharedReadOnly: true });
    const adapter = (c: Chart, w: kplus.Deployment) => new Adapter(c, 'Logs', { workload: w, source: AdapterSource.logFile('/var/log/app/app.log') });
    expect(mountsAfter([readOnlyInApp, adapter])).toEqual(mountsAfter([adapter, readOnlyInApp]));
    expect(mountsAfter([readOnlyInApp, adapter])[0].readOnly).toBeUndefined();
  });

  test('fails when one container would mount a shared directory twice', () => {
    const { chart, workload } = web();
    const one = new Sidecar(chart, 'One', { workload, command: KEEP_RUNNING, sharedPath: '/data' });
    expect(() => PodComposition.of(workload)._directories.add(chart, one.container.name, '/data/', { mountPath: '/elsewhere' }, undefined, Resources.SHARED_DIRECTORY_SIZE_LIMIT)).toThrow(
      "test: container 'one' would mount shared directory /data twice, at /data and /elsewhere (the other mount was declared by test/One). " +
        'Mount each directory once per container, each at a path of its own.',
    );
  });

  test('fails when two shared directories would be mounted at one path in a container', () => {
    const { chart, workload } = web();
    new Sidecar(chart, 'One', { workload, command: KEEP_RUNNING, sharedPath: '/data' });
    // Another directory at a path of its own in the sidecar is fine.
    const two = new Sidecar(chart, 'Two', { workload, command: KEEP_RUNNING, sharedPath: '/cache', sidecarSharedPath: '/x' });
    expect(PodComposition.of(workload)._directories.directoriesOf(two.container.name)).toEqual(['/x']);
    expect(() => new InitSteps(chart, 'Init', { workload, appHandOffPath: '/cache/../data', steps: [] })).toThrow("test/Init: appHandOffPath '/cache/../data' is not an absolute path without '..'.");
    const app = workload.containers[0];
    expect(() => PodComposition.of(workload)._directories.add(chart, app.name, '/other', { mountPath: '/data' }, undefined, Resources.SHARED_DIRECTORY_SIZE_LIMIT)).toThrow(
      "test: container 'app' would mount two shared directories at /data (the other mount was declared by test/One).",
    );
  });

  test('fails when one shared directory is declared with two media', () => {
    const { chart, workload } = web();
    new Sidecar(chart, 'One', { workload, command: KEEP_RUNNING, sharedPath: '/data', sharedVolume: { medium: kplus.EmptyDirMedium.MEMORY } });
    expect(() => new Sidecar(chart, 'Two', { workload, command: KEEP_RUNNING, sharedPath: '/data', sharedVolume: { medium: kplus.EmptyDirMedium.DEFAULT } })).toThrow(
      'test/Two: shared directory /data is already declared by test/One with another medium or size limit.',
    );
  });
});

describe('the emptyDir behind a shared directory', () => {
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
    expect(sizeLimitOf(Size.gibibytes(0.2))).toBe('209715.2Ki');
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
    expect(render('sidecar')[0].emptyDir).toEqual({ medium: 'Memory', sizeLimit: '16Mi' });
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
