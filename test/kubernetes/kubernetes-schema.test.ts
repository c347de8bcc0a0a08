import { schemaVersionFor, validateForTarget, validateManifests, validateObject } from '../support/kubernetes-schema';

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

  test('the 1.37 schema (npm run features, from upstream\'s swagger.json) has the fields of 1.35 to 1.37, which 1.29 lacks', () => {
    const newer = pod(
      {
        initContainers: [
          { name: 'write-env', image: 'busybox:1.36', volumeMounts: [{ name: 'env', mountPath: '/env' }] },
          { name: 'proxy', image: 'busybox:1.36', restartPolicy: 'Always', restartPolicyRules: [{ action: 'RestartAllContainers', exitCodes: { operator: 'In', values: [42] } }] },
        ],
        containers: [
          {
            name: 'app',
            image: 'busybox:1.36',
            env: [{ name: 'TOKEN', valueFrom: { fileKeyRef: { volumeName: 'env', path: 'app.env', key: 'TOKEN' } } }],
            volumeMounts: [{ name: 'content', mountPath: '/content' }],
          },
        ],
      },
      {
        resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: 1, memory: '256Mi' } },
        volumes: [{ name: 'env', emptyDir: {} }, { name: 'content', image: { reference: 'registry.example/content:1', pullPolicy: 'IfNotPresent' } }],
      },
    );
    expect(validateObject(newer, '1.37')).toEqual([]);
    expect(validateObject(newer, '1.29')).toEqual([
      "/spec must NOT have additional properties 'resources'",
      "/spec/containers/0/env/0/valueFrom must NOT have additional properties 'fileKeyRef'",
      "/spec/initContainers/1 must NOT have additional properties 'restartPolicyRules'",
      "/spec/volumes/1 must NOT have additional properties 'image'",
    ]);
    expect(validateObject(pod({ containers: [{ name: 'app', image: 'busybox:1.36', ports: [{ containerPort: '80' }] }] }), '1.37')).toEqual(['/spec/containers/0/ports/0/containerPort must be integer']);
    expect(validateObject({ apiVersion: 'v1', kind: 'Pods' }, '1.37')).toEqual(['no v1/Pods in the Kubernetes 1.37 schema']);
  });

  test('targets are checked against the newest schema not newer than them: 1.27, 1.29, then 1.37 from 1.35', () => {
    expect([27, 28, 29, 34, 35, 37].map(schemaVersionFor)).toEqual(['1.27', '1.27', '1.29', '1.29', '1.37', '1.37']);
    const withPodResources = (resources: object) => [pod({}, { resources })];
    // 1.34 has pod-level resources but is checked against 1.29, which lacks them: they are checked by hand.
    expect(validateForTarget(withPodResources({ limits: { cpu: '1', memory: '1Gi' } }), 34)).toEqual([]);
    expect(validateForTarget(withPodResources({ limits: { cpu: '1' } }), 33)).toEqual(['Pod/p: spec.resources needs 1.34']);
    expect(validateForTarget(withPodResources({ limit: { cpu: '1' } }), 34)).toEqual(['Pod/p: spec.resources.limit is unknown']);
    // From 1.35 the 1.37 schema knows the field.
    expect(validateForTarget(withPodResources({ limits: { cpu: '1', memory: '1Gi' } }), 35)).toEqual([]);
    expect(validateForTarget(withPodResources({ limit: { cpu: '1' } }), 35)).toEqual(["Pod/p: /spec/resources must NOT have additional properties 'limit'"]);
  });
});
