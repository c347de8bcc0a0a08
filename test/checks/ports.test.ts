import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Sidecar } from '../../lib';
import { KEEP_RUNNING, reportOf, webDeployment } from '../support/rule-examples';

describe('port rules', () => {
  test('lets TCP and UDP share a port number, but not two UDP listeners', () => {
    const udp = { number: 5353, protocol: kplus.Protocol.UDP };
    expect(reportOf(({ chart }) => webWithSidecarPorts(chart, [{ number: 5353 }], [udp]))).toEqual([]);
    expect(reportOf(({ chart }) => webWithSidecarPorts(chart, [udp], [udp]))).toEqual([
      "[chart/Web] port 5353/UDP is declared by containers 'app' and 'shipper', which share the pod's localhost. " +
        'Give each container its own port (e.g. the ambassador firstPort prop or the adapter metricsPort).',
    ]);
  });

  test('fails when two containers publish one hostPort', () => {
    expect(reportOf(({ chart }) => webWithSidecarPorts(chart, [{ number: 8080, hostPort: 80 }], [{ number: 8081, hostPort: 80 }]))).toEqual([
      "[chart/Web] hostPort 80 is declared by containers 'app' and 'shipper', which the API server refuses. " +
        'Publish each host port from one container, or leave hostPort out (Pod Security Standards "restricted" refuse host ports anyway).',
    ]);
  });

  test('allows hostPort 0, which publishes nothing', () => {
    expect(reportOf(({ chart }) => webWithSidecarPorts(chart, [{ number: 8080, hostPort: 0 }], []))).toEqual([]);
  });

  test('fails when a hostPort is out of range', () => {
    expect(reportOf(({ chart }) => webWithSidecarPorts(chart, [{ number: 8080, hostPort: 0.5 }], []))).toEqual([
      "[chart/Web] container 'app': hostPort 0.5 is not a port number. Use a whole number from 1 to 65535.",
    ]);
  });
});

function webWithSidecarPorts(chart: Chart, appPorts: kplus.ContainerPort[], sidecarPorts: kplus.ContainerPort[]): void {
  new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload: webDeployment(chart, { ports: appPorts }), ports: sidecarPorts });
}
