import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { SidecarExampleChart } from '../lib/examples';
import { Sidecar } from '../lib';
import { containerOf, expectAttachesToEveryWorkloadKind, onlyOf, podSpecOf, runningContainerNames, KEEP_RUNNING } from './support/synth';

describe('Sidecar', () => {
  const manifests = Testing.synth(new SidecarExampleChart(Testing.app(), 'sidecar-example'));
  const podSpec = podSpecOf(onlyOf(manifests, 'Deployment'));

  test('example chart matches the snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('runs beside the app, named after its construct id', () => {
    expect(podSpec.containers.map((c: { name: string }) => c.name)).toEqual(['app', 'log-shipper']);
    expect(podSpec.initContainers).toBeUndefined();
  });

  test('shares the log directory with the app through one emptyDir', () => {
    expect(podSpec.volumes).toEqual([{ emptyDir: {}, name: 'shared-var-log-app-cf0b1e' }]);
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
    expect(sidecar.resources).toEqual({ requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } });
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
});
