import { Testing } from 'cdk8s';
import { DemoChart } from '../lib/examples';
import { Manifest, onlyOf } from './support/synth';

/** The container fields the demo specifies; anything else on a container must be hardening. */
const HARDENING_FIELDS = ['securityContext', 'imagePullPolicy'];

function specifiedFields(container: Manifest): Manifest {
  return Object.fromEntries(Object.entries(container).filter(([key]) => !HARDENING_FIELDS.includes(key)));
}

describe('demo pod', () => {
  const manifests = Testing.synth(new DemoChart(Testing.app(), 'demo'));
  const pod = onlyOf(manifests, 'Pod');

  test('matches the snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('is the only object: Pod multi-container-pod with exactly the labels app and env', () => {
    expect(manifests).toHaveLength(1);
    expect(pod.apiVersion).toBe('v1');
    expect(pod.metadata).toEqual({
      name: 'multi-container-pod',
      labels: { app: 'multi-container-app', env: 'dev' },
      // So `kubectl logs multi-container-pod` without -c shows the app.
      annotations: { 'kubectl.kubernetes.io/default-container': 'demoapp-container' },
    });
  });

  test('has exactly the init container of the demo', () => {
    expect(pod.spec.initContainers.map(specifiedFields)).toEqual([
      {
        name: 'init-demoapp-container',
        image: 'busybox:latest',
        command: ['sh', '-c', 'echo "Initializing the application..."; sleep 5; echo "Initialization complete."'],
        env: [{ name: 'INIT_ENV', value: 'init-dev' }],
        resources: { requests: { memory: '32Mi', cpu: '50m' }, limits: { memory: '64Mi', cpu: '100m' } },
      },
    ]);
  });

  test('has exactly the app container of the demo', () => {
    expect(pod.spec.containers.map(specifiedFields)).toEqual([
      {
        name: 'demoapp-container',
        image: 'busybox:latest',
        command: ['sh', '-c', 'echo "Running the main application..."; sleep 10; echo "Main application complete."'],
        env: [{ name: 'DEMO_ENV', value: 'dev' }],
        resources: { requests: { memory: '64Mi', cpu: '100m' }, limits: { memory: '128Mi', cpu: '250m' } },
      },
    ]);
  });

  test('has no volumes: the demo init step hands nothing to the app', () => {
    expect(pod.spec.volumes).toBeUndefined();
  });

  test('runs as a non-root uid so a kubelet can honour runAsNonRoot on busybox', () => {
    for (const container of [...pod.spec.initContainers, ...pod.spec.containers]) {
      expect(container.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, allowPrivilegeEscalation: false });
    }
    expect(pod.spec.securityContext).toMatchObject({ runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } });
  });
});
