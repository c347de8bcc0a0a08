import { validateManifests, validateObject } from '../support/kubernetes-schema';

const pod = (container: object, spec: object = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p' },
  spec: { containers: [{ name: 'app', image: 'busybox:1.36' }], ...spec, ...container },
});

describe('strict Kubernetes schema validator', () => {
  test('a minimal Pod is valid', () => {
    expect(validateObject(pod({}))).toEqual([]);
  });

  test('fails when an init container has restartPolicy on 1.27, which 1.29 accepts', () => {
    const native = pod({ initContainers: [{ name: 'proxy', image: 'busybox:1.36', restartPolicy: 'Always' }] });
    expect(validateObject(native, '1.27')).toEqual(["/spec/initContainers/0 must NOT have additional properties 'restartPolicy'"]);
    expect(validateObject(native, '1.29')).toEqual([]);
  });

  test('fails when a pod spec has an unknown field', () => {
    expect(validateManifests([pod({ sharedProcessNamespace: true })])).toEqual([
      "Pod/p: /spec must NOT have additional properties 'sharedProcessNamespace'",
    ]);
  });

  test('fails when a container has no name', () => {
    expect(validateObject(pod({ containers: [{ image: 'busybox:1.36' }] }))).toEqual(["/spec/containers/0 must have required property 'name'"]);
  });

  test('fails when the kind is unknown', () => {
    expect(validateObject({ apiVersion: 'v1', kind: 'Pods' })).toEqual(['no v1/Pods in the Kubernetes 1.27 schema']);
  });

  test('quantities and int-or-string ports may be numbers or strings', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: {
        selector: { matchLabels: { app: 'd' } },
        template: {
          metadata: { labels: { app: 'd' } },
          spec: {
            containers: [
              {
                name: 'app',
                image: 'busybox:1.36',
                resources: { requests: { cpu: 0.5, memory: '64Mi' }, limits: { cpu: '1', memory: 134217728 } },
                startupProbe: { tcpSocket: { port: 'http' } },
                livenessProbe: { httpGet: { port: 8080, path: '/' } },
              },
            ],
          },
        },
      },
    };
    expect(validateObject(deployment)).toEqual([]);
  });
});
