import { ApiObject, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { InitSteps, KubernetesVersion, PodComposition, Resources, Sidecar } from '../../lib';
import { DemoChart } from '../../lib/examples';
import { build, careless, composition, duplicates, FAULTS, modeFor, POD_SPEC_POINTER, workloadOf } from '../support/compositions';
import { validateManifests } from '../support/kubernetes-schema';
import { restrictedViolations } from '../support/pss';
import { KEEP_RUNNING, Manifest, podSpecOf } from '../support/synth';
import { chartWith, untyped } from '../support/workloads';

describe('looking up a composition', () => {
  test('of() finds the composition the patterns share; attachTo() returns that same one', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27);
    const shipper = new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
    expect(PodComposition.of(workload)).toBe(PodComposition.attachTo(workload));
    expect(PodComposition.of(workload)._containers.all.map((added) => added.container)).toEqual([shipper.container]);
  });

  test('attachTo() creates a composition on a workload without patterns, which of() then finds', () => {
    const { workload } = chartWith(KubernetesVersion.V1_27);
    const pod = PodComposition.attachTo(workload);
    pod.defaultContainer = 'app';
    expect(PodComposition.of(workload)).toBe(pod);
  });

  test('fails when of() is given a workload without patterns, naming it and the fix', () => {
    const { workload } = chartWith(KubernetesVersion.V1_27);
    expect(() => PodComposition.of(workload)).toThrow(
      'PodComposition.of: workload test/Web has no pod composition, as no pattern was attached to it. Attach a pattern first, or call PodComposition.attachTo(workload)',
    );
  });

  test('fails when of() is given something that is not a workload', () => {
    expect(() => PodComposition.of(untyped({ name: 'web' }))).toThrow(
      'PodComposition.of: workload is {"name":"web"}, not a construct. Give a workload that carries a pod: a cdk8s-plus workload',
    );
  });
});

describe('effective pod resources', () => {
  test('the demo pod: requests 100m / 64Mi, limits 250m / 128Mi', () => {
    const demo = new DemoChart(Testing.app(), 'demo');
    expect(PodComposition.of(demo.pod).effectiveResources).toEqual({
      requests: { cpuMillis: 100, memoryMebibytes: 64 },
      limits: { cpuMillis: 250, memoryMebibytes: 128 },
    });
  });

  test('classic: the sum of app containers, unless an init step needs more', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27); // app 50m/32Mi, limits 100m/64Mi
    new InitSteps(chart, 'Init', { workload, handOff: false, steps: [{ name: 'big', resources: Resources.container({ cpuMillis: { request: 400, limit: 500 }, memoryMebibytes: { request: 16, limit: 32 } }) }] });
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload }); // 50m/32Mi, limits 100m/64Mi
    expect(PodComposition.of(workload).effectiveResources).toEqual({
      // cpu: init 400 > 50+50; memory: 32+32 > 16; ephemeral storage: the pattern containers' 64Mi each, the app none
      requests: { cpuMillis: 400, memoryMebibytes: 64, ephemeralStorageMebibytes: 64 },
      limits: { cpuMillis: 500, memoryMebibytes: 128, ephemeralStorageMebibytes: 256 },
    });
  });

  test('native: sidecars count beside the app, and beside the init steps declared after them', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_29); // app 50m/32Mi
    const init = new InitSteps(chart, 'Init', { workload, handOff: false, steps: [{ name: 'first', resources: Resources.container({ cpuMillis: { request: 100, limit: 100 }, memoryMebibytes: { request: 100, limit: 100 } }) }] });
    new Sidecar(chart, 'Proxy', { command: KEEP_RUNNING, workload, resources: Resources.container({ cpuMillis: { request: 200, limit: 200 }, memoryMebibytes: { request: 10, limit: 10 } }) });
    init.addStep({ name: 'second', resources: Resources.container({ cpuMillis: { request: 150, limit: 150 }, memoryMebibytes: { request: 20, limit: 20 } }) });
    // running: 50 + 200 = 250m, 32 + 10 = 42Mi, 64Mi; first: 100m/100Mi/64Mi; second: 150 + 200 = 350m, 20 + 10 = 30Mi, 64 + 64 = 128Mi
    expect(PodComposition.of(workload).effectiveResources.requests).toEqual({ cpuMillis: 350, memoryMebibytes: 100, ephemeralStorageMebibytes: 128 });
  });

  test('fails when the effective limits exceed the pod budget, naming the biggest containers', () => {
    const { chart, workload } = chartWith(KubernetesVersion.V1_27);
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload, resources: Resources.container({ cpuMillis: { request: 100, limit: 300 }, memoryMebibytes: { request: 32, limit: 64 } }) });
    PodComposition.of(workload).enforceResourceBudget({ cpuMillis: 250, memoryMebibytes: 512 });
    expect(() => Testing.synth(chart)).toThrow(
      "the pod's effective cpu limit 400m is above its budget 250m. The biggest limits are 'shipper' 300m, 'app' 100m: lower them or raise the budget.",
    );
  });
});

describe('property: random valid compositions', () => {
  test('synthesize to schema-valid, PSS-restricted pods with unique container names and ports', () => {
    fc.assert(
      fc.property(composition, (c) => {
        const manifests: Manifest[] = Testing.synth(build(Testing.app(), c));
        expect(validateManifests(manifests, c.native ? '1.29' : '1.27')).toEqual([]);
        const workload = manifests.find((m) => m.kind === c.kind)!;
        const spec = podSpecOf(workload);
        expect(restrictedViolations(c.kind, spec)).toEqual([]);
        const all = [...(spec.initContainers ?? []), ...spec.containers];
        expect(duplicates(all.map((x: Manifest) => x.name))).toEqual([]);
        const running = [...(spec.initContainers ?? []).filter((x: Manifest) => x.restartPolicy === 'Always'), ...spec.containers];
        expect(duplicates(running.flatMap((x: Manifest) => (x.ports ?? []).map((p: Manifest) => p.containerPort)))).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('property: random invalid inputs', () => {
  const fault = fc.constantFrom(...Object.keys(FAULTS));

  test('always end in our own error with a message, never a TypeError or a crash', () => {
    fc.assert(
      fc.property(composition, fault, (c, name) => {
        const app = Testing.app();
        let error: unknown;
        try {
          FAULTS[name](app, c);
          app.synthYaml();
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(Error);
        expect(error).not.toBeInstanceOf(TypeError);
        expect((error as Error).message).toMatch(/(Use|Give|Call|Set|Mount|Lower|Pass|Remove|Pin|Write)\b/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('property: careless compositions', () => {
  test('give our own clear error or output that passes the schema, the restricted profile and the kubelet start checks', () => {
    fc.assert(
      fc.property(composition, careless, (c, input) => {
        const app = Testing.app();
        let manifests: Manifest[] | undefined;
        try {
          const chart = build(app, c);
          const workload = workloadOf(chart);
          new Sidecar(chart, 'Careless', {
            workload,
            command: KEEP_RUNNING,
            name: input.name,
            mode: modeFor(c),
            securityContext: input.securityContext,
            ports: input.ports.map((p) => ({ number: p.number, name: p.name })),
          });
          if (input.patch) ApiObject.of(workload).addJsonPatch(input.patch(POD_SPEC_POINTER[c.kind]));
          manifests = Testing.synth(chart);
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          expect(error).not.toBeInstanceOf(TypeError);
          expect((error as Error).message).toMatch(/generated/);
          return;
        }
        expect(validateManifests(manifests, c.native ? '1.29' : '1.27')).toEqual([]);
        const spec = podSpecOf(manifests.find((m) => m.kind === c.kind)!);
        expect(restrictedViolations(c.kind, spec)).toEqual([]);
        // What a kubelet checks before it starts a container: runAsNonRoot needs a non-zero runAsUser.
        for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
          const nonRoot = container.securityContext?.runAsNonRoot ?? spec.securityContext?.runAsNonRoot;
          const user = container.securityContext?.runAsUser ?? spec.securityContext?.runAsUser;
          if (nonRoot) expect({ container: container.name, user }).toEqual({ container: container.name, user: expect.any(Number) });
          if (nonRoot) expect(user).not.toBe(0);
        }
      }),
      { numRuns: 2000 },
    );
  }, 300_000);
});
