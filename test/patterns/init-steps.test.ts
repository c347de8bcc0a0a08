import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { InitExampleChart } from '../../lib/examples';
import { InitSteps, KubernetesVersion, RestrictedSecurity } from '../../lib';
import { containerOf, expectAttachesToEveryWorkloadKind, onlyOf, podSpecOf, specOf, synthExample } from '../support/synth';
import { web } from '../support/workloads';

describe('InitSteps', () => {
  const { manifests, podSpec } = synthExample(InitExampleChart, 'init-example');

  test('example chart matches the snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('steps are init containers in the declared order', () => {
    expect(podSpec.initContainers.map((c: { name: string }) => c.name)).toEqual(['write-config', 'register']);
    expect(podSpec.containers.map((c: { name: string }) => c.name)).toEqual(['app']);
  });

  test('the hand-off emptyDir is mounted in every step and read-only in the app', () => {
    expect(podSpec.volumes).toEqual([{ emptyDir: { sizeLimit: '16Mi' }, name: 'shared-handoff-24861f' }]);
    for (const name of ['write-config', 'register']) {
      expect(containerOf(podSpec, name).volumeMounts).toEqual([{ mountPath: '/handoff', name: 'shared-handoff-24861f' }]);
    }
    expect(containerOf(podSpec, 'app').volumeMounts).toEqual([
      { mountPath: '/handoff', name: 'shared-handoff-24861f', readOnly: true },
    ]);
  });

  test('steps and app are told the hand-off directory through HANDOFF_DIR', () => {
    for (const name of ['write-config', 'register', 'app']) {
      expect(containerOf(podSpec, name).env).toContainEqual({ name: 'HANDOFF_DIR', value: '/handoff' });
    }
  });

  test('steps get the documented resources and the restricted security context', () => {
    const step = containerOf(podSpec, 'write-config');
    expect(step.resources).toEqual({
      requests: { cpu: '50m', memory: '32Mi', 'ephemeral-storage': '64Mi' },
      limits: { cpu: '100m', memory: '64Mi', 'ephemeral-storage': '256Mi' },
    });
    expect(step.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsGroup: 65534,
      runAsNonRoot: true,
      runAsUser: 65534,
    });
    expect(InitSteps.DEFAULT_RESOURCES.cpu?.limit?.amount).toBe('100m');
    expect(RestrictedSecurity.container().user).toBe(65534);
  });

  test('addStep appends after the steps given in props and returns the container', () => {
    const chart = new Chart(Testing.app(), 'test');
    const pod = new kplus.Pod(chart, 'Pod', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
    const init = new InitSteps(chart, 'Init', { workload: pod, steps: [{ name: 'first' }] });
    const second = init.addStep({ name: 'second', securityContext: { readOnlyRootFilesystem: false } });
    expect(second.name).toBe('second');
    expect(init.steps.map((c) => c.name)).toEqual(['first', 'second']);
    const spec = podSpecOf(onlyOf(Testing.synth(chart), 'Pod'));
    expect(spec.initContainers.map((c: { name: string }) => c.name)).toEqual(['first', 'second']);
    // Opting out of one hardening field keeps the others.
    expect(containerOf(spec, 'second').securityContext).toMatchObject({ readOnlyRootFilesystem: false, runAsUser: 65534 });
  });

  test('handOff: false adds no volume and no env', () => {
    const chart = new Chart(Testing.app(), 'test');
    const pod = new kplus.Pod(chart, 'Pod', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
    new InitSteps(chart, 'Init', { workload: pod, handOff: false, steps: [{ name: 'setup' }] });
    const spec = podSpecOf(onlyOf(Testing.synth(chart), 'Pod'));
    expect(spec.volumes).toBeUndefined();
    expect(containerOf(spec, 'setup').env).toBeUndefined();
    expect(containerOf(spec, 'app').env).toBeUndefined();
  });

  test('attaches to every workload kind defined in another chart', () => {
    expectAttachesToEveryWorkloadKind(
      (scope, workload) => new InitSteps(scope, 'Init', { workload, steps: [{ name: 'setup' }] }),
      (spec) => {
        expect(spec.initContainers.map((c: { name: string }) => c.name)).toEqual(['setup']);
        expect(containerOf(spec, 'app').volumeMounts[0].mountPath).toBe('/handoff');
        expect(spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      },
    );
  });

  test('fails when the workload has no app container yet', () => {
    const chart = new Chart(Testing.app(), 'test');
    const deployment = new kplus.Deployment(chart, 'Deployment');
    expect(() => new InitSteps(chart, 'Init', { workload: deployment })).toThrow(
      'test/Init: workload test/Deployment has no app container yet. Call workload.addContainer(...)',
    );
  });

  test('fails when the app container belongs to another workload', () => {
    const chart = new Chart(Testing.app(), 'test');
    const one = new kplus.Deployment(chart, 'One', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
    const other = new kplus.Deployment(chart, 'Other', { containers: [{ name: 'other', image: 'busybox:1.36' }] });
    expect(() => new InitSteps(chart, 'Init', { workload: one, app: other.containers[0] })).toThrow(
      "test/Init: the app container 'other' is not a container of workload test/One",
    );
  });

  test('fails when a run-to-completion init step has a probe, saying a native Sidecar can have one', () => {
    const { chart, workload } = web();
    const steps = [{ name: 'migrate', readiness: kplus.Probe.fromCommand(['true']) }];
    expect(() => new InitSteps(chart, 'Init', { workload, steps })).toThrow(
      "test/Init: init step 'migrate' has a readiness probe, but an init container that runs to completion cannot have them. Remove it, or make the container a Sidecar in native mode, which can.",
    );
  });

  test('fails when an init step is given portNumber, which would add a startup probe (as docs/rules.md says)', () => {
    const { chart, workload } = web();
    expect(() => new InitSteps(chart, 'Init', { workload, steps: [{ name: 'migrate', portNumber: 8080 }] })).toThrow(
      "test/Init: init step 'migrate' has a startup probe (a port given as portNumber adds one: use ports instead), but an init container that runs to completion cannot have them. Remove it, or make the container a Sidecar in native mode, which can.",
    );
  });

  test('env keys: the step gets its env file, the app each key through fileKeyRef on the hand-off volume', () => {
    const { chart, workload } = web(KubernetesVersion.V1_35);
    new InitSteps(chart, 'Config', { workload, steps: [{ name: 'render', envKeys: ['DB_URL', 'MODE'], command: ['sh', '-c', "echo \"DB_URL='postgres://db'\" > \"$HANDOFF_ENV_FILE\""] }] });
    const spec = podSpecOf(Testing.synth(chart)[0]);
    expect(containerOf(spec, 'render').env).toContainEqual({ name: 'HANDOFF_ENV_FILE', value: '/handoff/render.env' });
    expect(containerOf(spec, 'app').env.filter((e: { valueFrom?: unknown }) => e.valueFrom)).toEqual([
      { name: 'DB_URL', valueFrom: { fileKeyRef: { volumeName: 'shared-handoff-24861f', path: 'render.env', key: 'DB_URL' } } },
      { name: 'MODE', valueFrom: { fileKeyRef: { volumeName: 'shared-handoff-24861f', path: 'render.env', key: 'MODE' } } },
    ]);
  });

  test('fails when env keys are used on a target without env files, naming the first version', () => {
    const { chart, workload } = web(KubernetesVersion.V1_34);
    new InitSteps(chart, 'Config', { workload, steps: [{ name: 'render', envKeys: ['DB_URL'], command: ['true'] }] });
    expect(() => Testing.synth(chart)).toThrow("envKeys of init step 'render' needs env files, first on by default in Kubernetes 1.35, but the chart targets 1.34.");
  });

  test('fails when an env key is not a variable name, or the hand-off is off', () => {
    const { chart, workload } = web(KubernetesVersion.V1_35);
    expect(() => new InitSteps(chart, 'A', { workload, steps: [{ name: 'render', envKeys: ['DB-URL'], command: ['true'] }] })).toThrow(
      "test/A: envKeys of init step 'render' is [\"DB-URL\"]. Give env variable names (letters, digits and '_', not starting with a digit), e.g. ['DB_URL'].",
    );
    expect(() => new InitSteps(chart, 'B', { workload, handOff: false, steps: [{ name: 'other', envKeys: ['X'], command: ['true'] }] })).toThrow(
      "test/B: init step 'other' has envKeys, which the app reads from the hand-off volume, but handOff is false. Turn handOff on, or leave envKeys out.",
    );
  });

  test('a secrets hand-off: init renders into a memory-backed, size-limited emptyDir the app reads read-only elsewhere', () => {
    const { chart, workload } = web();
    new InitSteps(chart, 'Secrets', {
      workload,
      handOffPath: '/rendered',
      appHandOffPath: '/etc/secrets',
      handOffVolume: { medium: kplus.EmptyDirMedium.MEMORY, sizeLimit: Size.mebibytes(1) },
      steps: [{ name: 'render-secrets', command: ['sh', '-c', 'echo s3cr3t > "$HANDOFF_DIR/db-password"'] }],
    });
    const spec = specOf(chart);
    const volume = spec.volumes[0];
    expect(volume.emptyDir).toEqual({ medium: 'Memory', sizeLimit: '1Mi' });
    expect(containerOf(spec, 'render-secrets').volumeMounts).toEqual([{ mountPath: '/rendered', name: volume.name }]);
    expect(containerOf(spec, 'app').volumeMounts).toEqual([{ mountPath: '/etc/secrets', name: volume.name, readOnly: true }]);
    expect(containerOf(spec, 'app').env).toEqual([{ name: 'HANDOFF_DIR', value: '/etc/secrets' }]);
    expect(containerOf(spec, 'render-secrets').env).toEqual([{ name: 'HANDOFF_DIR', value: '/rendered' }]);
  });
});
