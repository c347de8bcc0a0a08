import { ApiObject, JsonPatch } from 'cdk8s';
import { workloadProblems } from '../../lib/checks/workload';
import { reportOf, VALID_RESOURCES, webWithShipper } from '../support/rule-examples';

describe('security context rules', () => {
  test("fails when the pod's runAsUser is 0 and a container must not run as root", () => {
    // The app's own runAsUser removed, so the pod's applies (undefined in securityContext keeps the restricted uid).
    const lines = reportOf(({ chart }) =>
      ApiObject.of(webWithShipper(chart, {}, { securityContext: { user: 0 } })).addJsonPatch(JsonPatch.remove('/spec/template/spec/containers/0/securityContext/runAsUser')),
    );
    expect(lines).toEqual([
      "[chart/Web] container 'app': runs as uid 0 (the pod's runAsUser) with runAsNonRoot true, which the kubelet refuses to start. " +
        'Set runAsUser to a non-zero uid such as 65534 (RestrictedSecurity.NON_ROOT_ID), or runAsNonRoot to false if it must run as root.',
    ]);
  });

  test('names the field of each security problem: the container\'s own context, or the pod\'s', () => {
    const container = (name: string, securityContext: object) => ({ name, image: 'busybox:1.36', resources: VALID_RESOURCES, securityContext });
    const problems = workloadProblems({
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        containers: [],
        template: {
          spec: {
            securityContext: { runAsUser: 0 },
            initContainers: [container('setup', { runAsNonRoot: true })],
            containers: [
              container('app', { runAsNonRoot: true, runAsUser: 0, privileged: true, allowPrivilegeEscalation: false }),
              container('proxy', { capabilities: { add: ['CAP_NET_ADMIN'] } }),
            ],
          },
        },
      },
    });
    expect(problems.map(({ rule, container, field }) => [rule, container, field])).toEqual([
      ['run-as-root', 'setup', 'spec.template.spec.securityContext.runAsUser'],
      ['run-as-root', 'app', 'spec.template.spec.containers[0].securityContext.runAsUser'],
      ['privileged-without-escalation', 'app', 'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation'],
      ['capability-name', 'proxy', 'spec.template.spec.containers[1].securityContext.capabilities.add[0]'],
      ['capability-without-drop-all', 'proxy', 'spec.template.spec.containers[1].securityContext.capabilities.drop'],
    ]);
  });
});
