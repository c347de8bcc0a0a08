import { Cron } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { KubernetesTarget, KubernetesVersion, Sidecar } from '../../lib';
import { addDuplicateObjectValidation } from '../../lib/checks/composition';
import { EXAMPLE_APP_RESOURCES } from '../../lib/examples/example-workload';
import { KEEP_RUNNING, reportOf, webWithShipper } from '../support/rule-examples';

describe('object rules', () => {
  test.each([
    ['CronJob', 'a'.repeat(53), "CronJob name '" + 'a'.repeat(53) + "' has 53 characters, more than 52. Use at most 52: the CronJob controller appends 11 characters to name each Job, whose name has at most 63."],
    ['Job', 'a'.repeat(64), "Job name '" + 'a'.repeat(64) + "' has 64 characters, more than 63. Use at most 63: the Job's pods carry its name in the job-name label, whose values have at most 63."],
    ['StatefulSet', 'a'.repeat(53), "StatefulSet name '" + 'a'.repeat(53) + "' has 53 characters, more than 52. Use at most 52: each pod's controller-revision-hash label is the name, '-' and a hash of up to 10 characters, and label values have at most 63."],
    ['StatefulSet', 'web.shop', "StatefulSet name 'web.shop' is not a DNS-1123 label. Use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit: it names the pods and their host names."],
  ] as const)('fails when a %s name breaks the rules of its kind', (kind, name, message) => {
    const lines = reportOf(({ chart }) => {
      KubernetesTarget.set(chart, KubernetesVersion.V1_29);
      const props = { metadata: { name }, containers: [{ name: 'app', image: 'busybox:1.36', resources: EXAMPLE_APP_RESOURCES, ports: [{ number: 8080 }] }] };
      const workload =
        kind === 'CronJob' ? new kplus.CronJob(chart, 'Web', { ...props, schedule: Cron.daily() })
        : kind === 'Job' ? new kplus.Job(chart, 'Web', props)
        : new kplus.StatefulSet(chart, 'Web', props);
      new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
    });
    expect(lines).toEqual([`[chart/Web] ${message}`]);
  });

  test('fails when metadata.name is given as undefined, which drops the name cdk8s would generate', () => {
    const lines = reportOf(({ chart }) => webWithShipper(chart, {}, { metadata: { name: undefined } }));
    expect(lines).toEqual([
      '[chart/Web] Deployment metadata.name is undefined, which the API server refuses. ' +
        'Leave name out of metadata to let cdk8s generate one (name: undefined removes it), or give a name.',
    ]);
  });

  test('allows one name in two namespaces, and checks duplicates once however often it is added', () => {
    const lines = reportOf(({ app, chart }) => {
      addDuplicateObjectValidation(chart);
      addDuplicateObjectValidation(app);
      new kplus.ConfigMap(chart, 'A', { metadata: { name: 'settings', namespace: 'shop' } });
      new kplus.ConfigMap(chart, 'B', { metadata: { name: 'settings', namespace: 'billing' } });
      new kplus.ConfigMap(chart, 'C', { metadata: { name: 'settings', namespace: 'billing' } });
    });
    expect(lines).toEqual([
      "[] ConfigMap 'settings' in namespace 'billing' is defined twice, by chart/B and chart/C. " +
        'Give one of them another metadata.name or namespace: applied together, the second would replace the first.',
    ]);
  });
});
