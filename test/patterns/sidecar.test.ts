import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { SidecarExampleChart } from '../../lib/examples';
import { Sidecar } from '../../lib';
import { containerOf, expectAttachesToEveryWorkloadKind, onlyOf, podSpecOf, runningContainerNames, specOf, KEEP_RUNNING, synthExample } from '../support/synth';
import { web } from '../support/workloads';

describe('Sidecar', () => {
  const { manifests, podSpec } = synthExample(SidecarExampleChart, 'sidecar-example');

  test('example chart matches the snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('runs beside the app, named after its construct id', () => {
    expect(podSpec.containers.map((c: { name: string }) => c.name)).toEqual(['app', 'log-shipper']);
    expect(podSpec.initContainers).toBeUndefined();
  });

  test('shares the log directory with the app through one emptyDir', () => {
    expect(podSpec.volumes).toEqual([{ emptyDir: { sizeLimit: '128Mi' }, name: 'shared-var-log-app-cf0b1e' }]);
    for (const name of ['app', 'log-shipper']) {
      expect(containerOf(podSpec, name).volumeMounts).toEqual([{ mountPath: '/var/log/app', name: 'shared-var-log-app-cf0b1e' }]);
    }
  });

  test('follows the file the app writes and prints each line', () => {
    expect(containerOf(podSpec, 'log-shipper').command.join(' ')).toContain('tail -F -n +1 /var/log/app/app.log');
    expect(containerOf(podSpec, 'app').command.join(' ')).toContain('>> /var/log/app/app.log');
  });

  test('gets the documented resources and the restricted security context', () => {
    const sidecar = containerOf(podSpec, 'log-shipper');
    expect(sidecar.resources).toEqual({
      requests: { cpu: '50m', memory: '32Mi', 'ephemeral-storage': '64Mi' },
      limits: { cpu: '100m', memory: '64Mi', 'ephemeral-storage': '256Mi' },
    });
    expect(sidecar.securityContext).toMatchObject({ runAsUser: 65534, runAsNonRoot: true, readOnlyRootFilesystem: true });
  });

  test('without sharedPath it shares no volume', () => {
    const chart = new Chart(Testing.app(), 'test');
    const pod = new kplus.Pod(chart, 'Pod', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
    const sidecar = new Sidecar(chart, 'Monitor', { command: KEEP_RUNNING, workload: pod, name: 'probe-agent', image: 'busybox:1.36' });
    expect(sidecar.container.name).toBe('probe-agent');
    expect(podSpecOf(onlyOf(Testing.synth(chart), 'Pod')).volumes).toBeUndefined();
  });

  test('attaches to every workload kind defined in another chart', () => {
    expectAttachesToEveryWorkloadKind(
      (scope, workload) => new Sidecar(scope, 'LogShipper', { command: KEEP_RUNNING, workload, sharedPath: '/var/log/app' }),
      (spec) => {
        expect(runningContainerNames(spec).sort()).toEqual(['app', 'log-shipper']);
        expect(containerOf(spec, 'app').volumeMounts).toEqual([{ mountPath: '/var/log/app', name: 'shared-var-log-app-cf0b1e' }]);
      },
    );
  });

  test('fails when the workload has no app container yet', () => {
    const chart = new Chart(Testing.app(), 'test');
    const job = new kplus.Job(chart, 'Job');
    expect(() => new Sidecar(chart, 'LogShipper', { command: KEEP_RUNNING, workload: job })).toThrow('test/LogShipper: workload test/Job has no app container yet');
  });

  test('a sidecar with its own image runs its entrypoint with args', () => {
    const { chart, workload } = web();
    new Sidecar(chart, 'GitSync', { workload, image: 'registry.k8s.io/git-sync/git-sync:v4.2.3', args: ['--repo=https://example.com/site.git'] });
    const container = containerOf(specOf(chart), 'git-sync');
    expect(container.command).toBeUndefined();
    expect(container.args).toEqual(['--repo=https://example.com/site.git']);
  });

  test('fails when a Sidecar on the default image has no command', () => {
    const { chart, workload } = web();
    expect(() => new Sidecar(chart, 'Idle', { workload })).toThrow(
      'test/Idle: a Sidecar on the default image busybox:1.36 needs a command: busybox alone runs sh, which exits at once, and the pod crash-loops.',
    );
  });

  test("a sidecar's share can be read-only, at its own path", () => {
    const { chart, workload } = web();
    new Sidecar(chart, 'Shipper', { workload, command: KEEP_RUNNING, sharedPath: '/var/log/app', sidecarSharedPath: '/logs', sharedReadOnly: true });
    const spec = specOf(chart);
    const name = spec.volumes[0].name;
    expect(containerOf(spec, 'shipper').volumeMounts).toEqual([{ mountPath: '/logs', name, readOnly: true }]);
    expect(containerOf(spec, 'app').volumeMounts).toEqual([{ mountPath: '/var/log/app', name }]);
  });
});
