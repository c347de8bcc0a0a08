import { ContainerJson, PodSpecJson, SecurityContextJson } from '../kubernetes/manifest';
import { Problem, RuleDefinition, RuleLevel } from './rule';

/** Rules on security contexts: what the kubelet, the API server or the restricted profile refuse. */
export const SECURITY_RULES: readonly RuleDefinition[] = [
  {
    rule: 'run-as-root',
    level: RuleLevel.ERROR,
    failsWhen: 'a container must not run as root but runs as uid 0',
    exampleInput: '`securityContext: { user: 0 }` on the app (cdk8s-plus sets runAsNonRoot: true)',
    exampleMessage: "[chart/Web] container 'app': runs as uid 0 (its runAsUser) with runAsNonRoot true, which the kubelet refuses to start. Set runAsUser to a non-zero uid such as 65534 (RestrictedSecurity.NON_ROOT_ID), or runAsNonRoot to false if it must run as root.",
  },
  {
    rule: 'privileged-without-escalation',
    level: RuleLevel.ERROR,
    failsWhen: 'a container is privileged without privilege escalation',
    exampleInput: '`securityContext: { privileged: true }` on the app (cdk8s-plus sets allowPrivilegeEscalation: false)',
    exampleMessage: "[chart/Web] container 'app': is privileged with allowPrivilegeEscalation false, which the API server refuses. Set allowPrivilegeEscalation: true beside privileged: true (cdk8s-plus sets it false by default), or drop privileged.",
  },
  {
    rule: 'capability-name',
    level: RuleLevel.ERROR,
    failsWhen: 'a capability is named with the CAP_ prefix',
    exampleInput: '`capabilities: { add: [kplus.Capability.NET_BIND_SERVICE], drop: [CAPABILITY_ALL] }` on a sidecar',
    exampleMessage: "[chart/Web] container 'shipper' (added by chart/Shipper): capability 'CAP_NET_BIND_SERVICE' has the CAP_ prefix: Kubernetes names capabilities without it, and Pod Security Standards refuse it. Use 'NET_BIND_SERVICE' (e.g. 'NET_BIND_SERVICE' as kplus.Capability, or CAPABILITY_NET_BIND_SERVICE and CAPABILITY_ALL): cdk8s-plus' Capability enum adds the prefix.",
  },
  {
    rule: 'capability-without-drop-all',
    level: RuleLevel.WARNING,
    failsWhen: 'a capability is added without dropping ALL (a warning)',
    exampleInput: '`securityContext: { capabilities: { add: [CAPABILITY_NET_BIND_SERVICE], drop: [] } }` on a sidecar',
    exampleMessage: `Warning: [chart/Web] container 'shipper' (added by chart/Shipper): adds capabilities NET_BIND_SERVICE without dropping ALL. Add drop: [CAPABILITY_ALL] and add back only what it needs, as Pod Security Standards "restricted" require.`,
  },
  {
    rule: 'run-as-non-root-without-user',
    level: RuleLevel.WARNING,
    failsWhen: 'a container of yours has runAsNonRoot but no runAsUser (a warning)',
    exampleInput: "`containers: [{ name: 'app', image: 'nginx:1.27', securityContext: { capabilities: { drop: [CAPABILITY_ALL] } } }]` (cdk8s-plus sets runAsNonRoot)",
    exampleMessage: "Warning: [chart/Web] container 'app': has runAsNonRoot but no runAsUser: a kubelet refuses to start it (CreateContainerConfigError) if its image's user is root. Set securityContext.user to the non-root uid the image runs as (e.g. 101 for nginx-unprivileged, 65534 for nobody).",
  },
  {
    rule: 'capabilities-kept',
    level: RuleLevel.WARNING,
    failsWhen: 'a container of yours keeps its capabilities (a warning)',
    exampleInput: "`containers: [{ name: 'app', image: 'nginx:1.27', securityContext: { user: 101 } }]`",
    exampleMessage: "Warning: [chart/Web] container 'app': keeps its capabilities, which the restricted Pod Security profile refuses. Set securityContext.capabilities to { drop: [CAPABILITY_ALL] } (add CAPABILITY_NET_BIND_SERVICE only if it binds a port below 1024).",
  },
  {
    rule: 'hardening-weakened',
    level: RuleLevel.WARNING,
    failsWhen: "a pattern container's securityContext turns its hardening off (a warning; what you give is kept)",
    exampleInput: "`new Sidecar(chart, 'Shipper', { workload, securityContext: { ensureNonRoot: false } })`",
    exampleMessage: "Warning: [chart/Web] container 'shipper' (added by chart/Shipper): is a pattern container whose securityContext turns its hardening off (runAsNonRoot false), which the restricted Pod Security profile refuses. Leave those fields out to keep the pattern's hardening, or set the rule off for this container with a reason (RulePolicy).",
  },
];

const CAPABILITY_LISTS = ['add', 'drop'] as const;

/**
 * Security contexts that contradict themselves: the API server refuses privileged without privilege
 * escalation; the kubelet refuses to start a container that must not run as root but is given uid 0;
 * capabilities are named without CAP_ (cdk8s-plus' Capability enum adds it, the runtime and Pod
 * Security Standards do not take it).
 */
export function checkSecurity(problems: Problem[], container: ContainerJson, path: string, pod: SecurityContextJson, specPath: string): void {
  const name = container.name;
  const context = container.securityContext ?? {};
  // A container's own field wins over the pod's.
  const runAsNonRoot = context.runAsNonRoot ?? pod.runAsNonRoot;
  if (runAsNonRoot === true && (context.runAsUser ?? pod.runAsUser) === 0) {
    const own = context.runAsUser !== undefined;
    problems.push({
      rule: 'run-as-root',
      container: name,
      field: `${own ? path : specPath}.securityContext.runAsUser`,
      value: '0',
      message: `runs as uid 0 (${own ? 'its' : "the pod's"} runAsUser) with runAsNonRoot true, which the kubelet refuses to start`,
      fix: 'Set runAsUser to a non-zero uid such as 65534 (RestrictedSecurity.NON_ROOT_ID), or runAsNonRoot to false if it must run as root.',
    });
  }
  if (context.privileged === true && context.allowPrivilegeEscalation === false) {
    problems.push({
      rule: 'privileged-without-escalation',
      container: name,
      field: `${path}.securityContext.allowPrivilegeEscalation`,
      value: 'false',
      message: 'is privileged with allowPrivilegeEscalation false, which the API server refuses',
      fix: 'Set allowPrivilegeEscalation: true beside privileged: true (cdk8s-plus sets it false by default), or drop privileged.',
    });
  }
  const capabilities = context.capabilities ?? {};
  for (const list of CAPABILITY_LISTS) {
    const listed = capabilities[list] ?? [];
    for (let i = 0; i < listed.length; i++) {
      const capability = listed[i];
      if (capability.startsWith('CAP_')) {
        const bare = capability.slice('CAP_'.length);
        problems.push({
          rule: 'capability-name',
          container: name,
          field: `${path}.securityContext.capabilities.${list}[${i}]`,
          value: capability,
          message: `capability '${capability}' has the CAP_ prefix: Kubernetes names capabilities without it, and Pod Security Standards refuse it`,
          fix:
            `Use '${bare}' (e.g. '${bare}' as kplus.Capability, or CAPABILITY_NET_BIND_SERVICE and CAPABILITY_ALL): ` +
            "cdk8s-plus' Capability enum adds the prefix.",
        });
      }
    }
  }
  const added = capabilities.add ?? [];
  if (added.length > 0 && !(capabilities.drop ?? []).includes('ALL')) {
    problems.push({
      rule: 'capability-without-drop-all',
      container: name,
      field: `${path}.securityContext.capabilities.drop`,
      value: added.join(', '),
      message: `adds capabilities ${added.join(', ')} without dropping ALL`,
      fix: 'Add drop: [CAPABILITY_ALL] and add back only what it needs, as Pod Security Standards "restricted" require.',
    });
  }
}

/**
 * What a kubelet or the restricted Pod Security profile would say of the pod's containers: pattern
 * containers whose hardening the user turned off, and the user's own containers (the library never
 * changes a container it did not add). `isPatternContainer` tells them apart.
 */
export function containerHardeningProblems(spec: PodSpecJson, containers: readonly ContainerJson[], isPatternContainer: (name: string) => boolean): Problem[] {
  const found: Problem[] = [];
  const podRunAsUser = (spec.securityContext as { runAsUser?: number } | undefined)?.runAsUser;
  for (const container of containers) {
    if (isPatternContainer(container.name)) checkPatternHardening(found, container);
    else checkUserContainer(found, container, podRunAsUser);
  }
  return found;
}

/** A pattern container whose hardening the user's `securityContext` turned off: honoured, and said. */
function checkPatternHardening(found: Problem[], container: ContainerJson): void {
  const context = container.securityContext ?? {};
  const weakened = [
    context.runAsNonRoot === false ? 'runAsNonRoot false' : '',
    context.readOnlyRootFilesystem === false ? 'readOnlyRootFilesystem false' : '',
    context.allowPrivilegeEscalation === true ? 'allowPrivilegeEscalation true' : '',
    context.privileged === true ? 'privileged true' : '',
    // Capabilities added without dropping ALL are capability-without-drop-all's.
    context.capabilities?.drop?.includes('ALL') || context.capabilities?.add?.length ? '' : 'capabilities not dropping ALL',
  ].filter(Boolean);
  if (!weakened.length) return;
  found.push({
    rule: 'hardening-weakened',
    container: container.name,
    field: 'securityContext',
    message: `is a pattern container whose securityContext turns its hardening off (${weakened.join(', ')}), which the restricted Pod Security profile refuses`,
    fix: "Leave those fields out to keep the pattern's hardening, or set the rule off for this container with a reason (RulePolicy).",
  });
}

/** What a kubelet or the restricted profile would say of a container the user added. */
function checkUserContainer(found: Problem[], container: ContainerJson, podRunAsUser: number | undefined): void {
  const context = container.securityContext ?? {};
  if (context.runAsNonRoot && context.runAsUser === undefined && podRunAsUser === undefined) {
    found.push({
      rule: 'run-as-non-root-without-user',
      container: container.name,
      field: 'securityContext.runAsUser',
      message: "has runAsNonRoot but no runAsUser: a kubelet refuses to start it (CreateContainerConfigError) if its image's user is root",
      fix: 'Set securityContext.user to the non-root uid the image runs as (e.g. 101 for nginx-unprivileged, 65534 for nobody).',
    });
  }
  if (!context.capabilities?.drop?.includes('ALL')) {
    found.push({
      rule: 'capabilities-kept',
      container: container.name,
      field: 'securityContext.capabilities',
      message: 'keeps its capabilities, which the restricted Pod Security profile refuses',
      fix: 'Set securityContext.capabilities to { drop: [CAPABILITY_ALL] } (add CAPABILITY_NET_BIND_SERVICE only if it binds a port below 1024).',
    });
  }
}
