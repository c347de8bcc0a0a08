import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ImageContent, KubernetesVersion, Sidecar } from '../../lib';
import { containerOf, KEEP_RUNNING, podSpecOf } from '../support/synth';
import { web } from '../support/workloads';

describe('ImageContent', () => {
  test('mounts an image read-only into the app as an image volume', () => {
    const { chart, workload } = web(KubernetesVersion.V1_36);
    new ImageContent(chart, 'Site', { workload, image: 'registry.example.com/site:2026.12', mountPath: '/srv/site', pullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT });
    const spec = podSpecOf(Testing.synth(chart)[0]);
    expect(spec.volumes).toContainEqual({ name: 'image-app-0', image: { reference: 'registry.example.com/site:2026.12', pullPolicy: 'IfNotPresent' } });
    expect(containerOf(spec, 'app').volumeMounts).toContainEqual({ mountPath: '/srv/site', name: 'image-app-0', readOnly: true });
  });

  test('mounts into a helper by name, a directory of the image with subPath', () => {
    const { chart, workload } = web(KubernetesVersion.V1_36);
    new Sidecar(chart, 'Server', { workload, command: KEEP_RUNNING });
    new ImageContent(chart, 'Html', { workload, image: 'registry.example.com/site:2026.12', mountPath: '/www', subPath: 'html', container: 'server' });
    const spec = podSpecOf(Testing.synth(chart)[0]);
    expect(containerOf(spec, 'server').volumeMounts).toContainEqual({ mountPath: '/www', name: 'image-server-0', readOnly: true, subPath: 'html' });
  });

  test('fails when the chart targets a Kubernetes without image volumes', () => {
    const { chart, workload } = web(KubernetesVersion.V1_33);
    new ImageContent(chart, 'Site', { workload, image: 'registry.example.com/site:2026.12', mountPath: '/srv/site' });
    expect(() => Testing.synth(chart)).toThrow(
      "[test/Web] ImageContent test/Site needs image volumes, first on by default in Kubernetes 1.35, but the chart targets 1.33. Call KubernetesTarget.set(chart, KubernetesVersion.parse('1.35'))",
    );
  });

  test('fails when the container named is not in the pod, listing the names', () => {
    const { chart, workload } = web(KubernetesVersion.V1_36);
    new ImageContent(chart, 'Site', { workload, image: 'registry.example.com/site:2026.12', mountPath: '/srv/site', container: 'nginx' });
    expect(() => Testing.synth(chart)).toThrow("test/Site: the image registry.example.com/site:2026.12 is to be mounted in container 'nginx', which the pod of test/Web does not have (its containers: 'app'). Give one of those names.");
  });

  test('fails when the subPath leaves the image', () => {
    const { chart, workload } = web(KubernetesVersion.V1_36);
    expect(() => new ImageContent(chart, 'Site', { workload, image: 'site:1', mountPath: '/srv', subPath: '../etc' })).toThrow("test/Site: subPath is '../etc'. Give a relative path inside the image without '..', e.g. 'html'.");
  });
});
