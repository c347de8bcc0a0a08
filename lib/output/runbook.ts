import { ContainerJson, containersOf, isNativeSidecar, podTemplateOf, PodSpecJson, preStopSeconds, WorkloadJson } from '../kubernetes/manifest';
import { ContainerRole, SidecarMode } from '../pod/pattern-containers';
import { RestartAction } from '../pod/restart-rules';
import { PodComposition } from '../composition/pod-composition';
import { firstMinorOf, KubernetesFeature, KubernetesTarget, KubernetesVersion } from '../kubernetes/kubernetes-target';
import { effectivePodResources, EPHEMERAL_STORAGE, ResourceAmounts } from '../kubernetes/pod-resources';
import { isDnsLabel, isDnsSubdomain } from '../kubernetes/names';

const ROLE_TEXT: Record<ContainerRole, string> = {
  [ContainerRole.APP]: 'app',
  [ContainerRole.INIT]: 'init step, runs to completion before the next container starts',
  [ContainerRole.SIDECAR]: 'sidecar',
  [ContainerRole.AMBASSADOR]: 'ambassador (local proxy)',
  [ContainerRole.ADAPTER]: 'adapter',
};

/** The runbook synth writes beside each workload that has patterns. */
export class Runbook {
  /**
   * A short Markdown runbook for the pods of one workload, written from its rendered manifest:
   * containers in start order, effective resources, the kubectl commands, and what to check when stuck.
   */
  public static render(composition: PodComposition): string {
    return renderRunbook(composition);
  }

  private constructor() {}
}

/** The runbook of `composition`, from `rendered` when synth has it at hand, so the workload is not rendered again. */
export function renderRunbook(composition: PodComposition, rendered: object = composition.manifest): string {
  const manifest = rendered as WorkloadJson;
  const template = podTemplateOf(manifest, composition._declarations.host.templatePointer);
  const spec = template.spec;
  const name = manifest.metadata.name ?? composition._declarations.host.apiObject.name;
  const initContainers = spec.initContainers ?? [];
  const ordered = containersOf(spec);
  const roles = new Map(composition.patternContainers.map((p) => [p.container.name, p]));
  const isDefault = (c: ContainerJson) => c.name === composition.defaultContainer;
  const { requests, limits } = effectivePodResources(spec);

  const roleOf = (c: ContainerJson): string => {
    const pattern = roles.get(c.name);
    if (!pattern) return isDefault(c) ? 'app (default container)' : 'app container';
    const mode = composition.modeOf(pattern);
    if (mode === SidecarMode.NATIVE) return `${ROLE_TEXT[pattern.role]}, native: starts before the app and stays up`;
    return mode === SidecarMode.CLASSIC ? `${ROLE_TEXT[pattern.role]}, classic: starts with the app` : ROLE_TEXT[pattern.role];
  };

  // For a Pod, the commands the demo documents; for other kinds, one of its pods found by label.
  const [pod, podName] = manifest.kind === 'Pod' ? [`pod ${name}`, name] : ['$POD', '$POD'];
  const labels = Object.entries(template.metadata?.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  const findPod =
    manifest.kind === 'Pod'
      ? [`kubectl get pod ${name}`]
      : [`kubectl get pods -l ${labels}`, `POD=$(kubectl get pods -l ${labels} -o name | head -n 1)`];
  const app = composition.defaultContainer ?? spec.containers[0].name;
  const commands = [
    ...findPod,
    `kubectl describe ${pod}`,
    ...ordered.map((c) => `kubectl logs ${podName} -c ${c.name}`),
    `kubectl logs -f ${podName} -c ${app}`,
    `kubectl exec -it ${podName} -c ${app} -- /bin/sh`,
    `kubectl delete ${pod}${manifest.kind === 'Pod' ? '' : `   # the ${manifest.kind} makes a new one`}`,
  ];

  const steps = initContainers.filter((c) => !isNativeSidecar(c));
  const nativeSidecars = initContainers.filter(isNativeSidecar);
  const classicHelpers = spec.containers.filter((c) => roles.has(c.name));
  const mounts = ordered.flatMap((c) =>
    (c.volumeMounts ?? []).map((m) => `| \`${m.name}\` | \`${c.name}\` | \`${m.mountPath}\` | ${m.readOnly ? 'read-only' : 'read-write'} |`),
  );

  return [
    `# Runbook: ${manifest.kind} \`${name}\``,
    '',
    'Written by synth from the manifest; regenerate it with `npm run synth`, do not edit.',
    '',
    '## Containers in start order',
    '',
    '| # | container | role | image | requests (cpu / memory / ephemeral storage) | limits (cpu / memory / ephemeral storage) |',
    '|---|---|---|---|---|---|',
    ...ordered.map(
      (c, i) =>
        `| ${i + 1} | \`${c.name}\` | ${roleOf(c)} | \`${c.image}\` | ${amount(c, 'requests')} | ${amount(c, 'limits')} |`,
    ),
    '',
    `Pod total, by the Kubernetes rule (what the scheduler reserves): requests ${total(requests)}, limits ${total(limits)}.`,
    ...(composition.podLevelResources
      ? [
          '',
          `Pod-level resources (\`spec.resources\`, the pod's own cgroup the containers share): requests ${total(composition.podLevelResources.requests)}, ` +
            `limits ${total(composition.podLevelResources.limits)}.`,
        ]
      : []),
    '',
    '## Lifecycle',
    '',
    '```mermaid',
    ...lifecycleDiagram(spec),
    '```',
    '',
    ...restartAndResizeSection(composition, spec, KubernetesTarget.of(composition.workload), pod),
    '## Commands',
    '',
    '```sh',
    ...commands,
    '```',
    '',
    '## When it is stuck',
    '',
    ...(steps.length > 0
      ? [
          `- **Init failure**: \`kubectl get ${pod}\` shows \`Init:N/${initContainers.length}\` while init container N+1 in the order above runs,` +
            ' `Init:Error` once it failed, and `Init:CrashLoopBackOff` while the kubelet waits to run it again;' +
            ` \`kubectl describe ${pod}\` gives its state and exit code (Last State, Exit Code), \`kubectl logs ${podName} -c <step>\` its output` +
            ' (add `--previous` for the failed run).' +
            ` Steps: ${steps.map((c) => `\`${c.name}\``).join(', ')}.`,
        ]
      : []),
    `- **Resource constraints**: \`Pending\` with \`Insufficient cpu\` or \`memory\` in \`kubectl describe ${pod}\` means no node has ${total(requests)} free;` +
      ' `OOMKilled` in a container\'s last state means it hit its memory limit above: raise that container\'s `resources`.',
    `- **Start order**: ${startOrderAdvice(nativeSidecars, classicHelpers, initContainers.length)}`,
    ...localStorageAdvice(spec, pod, limits, nativeSidecars.length > 0 && KubernetesTarget.of(composition.workload).minor < NATIVE_SIDECAR_STORAGE_LIMITS_MINOR),
    ...(mounts.length > 0
      ? [
          '- **Volume mounts**: a reader that mounts another volume than the writer sees an empty directory, and one that mounts' +
            ` the right volume at another path finds nothing where it looks: either way it logs that it cannot open the file (\`kubectl logs ${podName} -c <container>\`);` +
            ` check \`kubectl describe ${pod}\` (Mounts) against this table, and \`kubectl exec -it ${podName} -c <container> -- ls <path>\`.`,
          '',
          '| volume | container | path | access |',
          '|---|---|---|---|',
          ...mounts,
        ]
      : []),
    '',
  ].join('\n');
}

function startOrderAdvice(nativeSidecars: ContainerJson[], classicHelpers: ContainerJson[], initCount: number): string {
  const parts: string[] = [];
  if (nativeSidecars.length > 0) {
    parts.push(
      `native sidecars ${nativeSidecars.map((c) => `\`${c.name}\``).join(', ')} start before the app, in this order;` +
        ` \`kubectl get\` shows \`Init:N/${initCount}\` until each has started. One with a port is gated by its startupProbe` +
        ' ("Startup probe failed" in describe means it never listened).',
    );
  }
  if (classicHelpers.length > 0) {
    parts.push(
      `classic helpers ${classicHelpers.map((c) => `\`${c.name}\``).join(', ')} start with the app, with no readiness order:` +
        ' the app must retry until they listen (check its log for "connection refused").',
    );
  }
  return parts.length > 0 ? parts.join(' ') : 'init steps run one by one, then the app containers start together.';
}

function amount(container: ContainerJson, kind: 'requests' | 'limits'): string {
  const values = container.resources?.[kind];
  return `${values?.cpu ?? '-'} / ${values?.memory ?? '-'} / ${values?.[EPHEMERAL_STORAGE] ?? '-'}`;
}

/** cpu / memory, and ephemeral storage where a container declares some. */
function total(amounts: ResourceAmounts): string {
  const storage = amounts.ephemeralStorageMebibytes === undefined ? '' : ` / ${amounts.ephemeralStorageMebibytes}Mi`;
  return `${amounts.cpuMillis}m / ${amounts.memoryMebibytes}Mi${storage}`;
}

/**
 * What a container's exit restarts (its restart rules) and which containers can be resized in place
 * on the chart's target, with the command.
 */
function restartAndResizeSection(composition: PodComposition, spec: PodSpecJson, target: KubernetesVersion, pod: string): string[] {
  const restarts = composition._declarations.restarts.all.map(({ container, action, exitCodes }) =>
    action === RestartAction.RESTART
      ? `- \`${container}\` is restarted when it exits with ${exitCodes!.join(', ')} (a restart rule), whatever the pod's restartPolicy (${spec.restartPolicy ?? 'Always'}) says; other exits do what that says. Its RESTARTS in \`kubectl get ${pod}\` count it, \`kubectl describe ${pod}\` gives the exit code (Last State).`
      : `- When \`${container}\` exits, every container of the pod restarts in place (RestartAllContainers), the init steps first: all their restart counts go up together, and the pod shows the condition \`AllContainersRestarting\` meanwhile (\`kubectl get ${pod} -o jsonpath='{.status.conditions}'\`).`,
  );
  const initContainers = spec.initContainers ?? [];
  const regular = spec.containers.map((c) => `\`${c.name}\``);
  const native = initContainers.filter(isNativeSidecar).map((c) => `\`${c.name}\``);
  const steps = initContainers.filter((c) => !isNativeSidecar(c));
  let resize: string;
  if (!target.supports(KubernetesFeature.IN_PLACE_RESIZE)) {
    resize = `- Resizing in place needs Kubernetes 1.${firstMinorOf(KubernetesFeature.IN_PLACE_RESIZE)} (the chart targets ${target}): change \`resources\` and let the pod be replaced.`;
  } else {
    const resizable = [...regular, ...(target.supports(KubernetesFeature.IN_PLACE_RESIZE_INIT_CONTAINERS) ? native : [])];
    const fixed = [
      ...(steps.length ? [`the init steps ${steps.map((c) => `\`${c.name}\``).join(', ')} (they have finished)`] : []),
      ...(native.length && !target.supports(KubernetesFeature.IN_PLACE_RESIZE_INIT_CONTAINERS)
        ? [`the native sidecars ${native.join(', ')} (before 1.${firstMinorOf(KubernetesFeature.IN_PLACE_RESIZE_INIT_CONTAINERS)})`]
        : []),
    ];
    resize =
      `- Resizable in place on ${target} (cpu and memory, no restart unless a container's resizePolicy asks for one): ${resizable.join(', ')}` +
      `${fixed.length ? `; not ${fixed.join(', nor ')}` : ''}` +
      `${composition.podLevelResources ? `; the pod-level resources ${target.supports(KubernetesFeature.IN_PLACE_RESIZE_POD_LEVEL_RESOURCES) ? 'too' : `only from 1.${firstMinorOf(KubernetesFeature.IN_PLACE_RESIZE_POD_LEVEL_RESOURCES)}`}` : ''}. ` +
      `\`kubectl patch ${pod} --subresource resize --patch '{"spec":{"containers":[{"name":"NAME","resources":{"limits":{"cpu":"200m"}}}]}}'\` (\`initContainers\` for a native sidecar); ephemeral storage is not resizable.`;
  }
  return ['## Restarts and resizing in place', '', ...restarts, resize, ''];
}

/**
 * The first minor version whose kubelet enforces a native sidecar's own ephemeral-storage limit
 * (kubernetes pull request 138462, in CHANGELOG-1.37 of the k8s.io/kubernetes module).
 */
const NATIVE_SIDECAR_STORAGE_LIMITS_MINOR = 37;

/**
 * What an eviction for local storage shows and where the pod's bounds are: each emptyDir's size
 * limit, the pod's ephemeral-storage limit, memory-backed directories counted as memory.
 */
function localStorageAdvice(spec: PodSpecJson, pod: string, limits: ResourceAmounts, nativeSidecarsUnbounded: boolean): string[] {
  const dirs = (spec.volumes ?? []).filter((v) => v.emptyDir);
  if (dirs.length === 0 && limits.ephemeralStorageMebibytes === undefined) return [];
  const writers = (name: string) =>
    containersOf(spec).filter((c) => (c.volumeMounts ?? []).some((m) => m.name === name && !m.readOnly)).map((c) => `\`${c.name}\``);
  const describeDir = (v: (typeof dirs)[number]) =>
    `\`${v.name}\` ${v.emptyDir!.sizeLimit ?? 'unbounded'}${v.emptyDir!.medium === 'Memory' ? ' in memory' : ''}${writers(v.name).length ? ` (written by ${writers(v.name).join(', ')})` : ''}`;
  const podLimit = limits.ephemeralStorageMebibytes === undefined ? undefined : `${limits.ephemeralStorageMebibytes}Mi`;
  const memoryBacked = dirs.filter((v) => v.emptyDir!.medium === 'Memory');
  return [
    '- **Local storage**: the kubelet evicts the pod when a directory holds more than its sizeLimit' +
      ' (`Usage of EmptyDir volume "NAME" exceeds the limit "SIZE"`)' +
      (podLimit ? `, or when the containers' writable layers and logs and the disk-backed directories together pass the pod's ephemeral-storage limit ${podLimit} (\`Pod ephemeral local storage usage exceeds the total limit of containers ${podLimit}\`)` : '') +
      `: \`kubectl get ${pod}\` shows it \`Error\` (phase Failed, reason Evicted${pod === '$POD' ? '; its controller makes a new pod' : ''}), and \`kubectl describe ${pod}\` gives that message.` +
      (dirs.length ? ` Directories: ${dirs.map(describeDir).join(', ')}.` : '') +
      (memoryBacked.length
        ? ` A directory in memory counts against the memory of the container that writes it: past that container's memory limit it is \`OOMKilled\`, before the directory's sizeLimit.`
        : '') +
      (nativeSidecarsUnbounded
        ? ` Before Kubernetes 1.${NATIVE_SIDECAR_STORAGE_LIMITS_MINOR} the kubelet does not enforce a native sidecar's own ephemeral-storage limit (kubernetes#138462): what bounds its writes is the sizeLimit of the directories it writes.`
        : ''),
  ];
}

/**
 * `<kind>-<name>.runbook.md`, or `<namespace>.<kind>-<name>.runbook.md` when the workload sets a namespace:
 * unique per workload, ignored by `kubectl apply -f dist/`, and only ever a plain file name. Throws,
 * naming the workload's construct path, when the name or namespace is not what Kubernetes accepts
 * (a DNS-1123 subdomain / label), since such a value could also put the file outside the output directory.
 */
export function runbookFileName(composition: PodComposition, manifest: WorkloadJson = composition._manifest): string {
  const { kind, metadata } = manifest;
  const name = metadata.name ?? composition._declarations.host.apiObject.name;
  const where = `[${composition.workload.node.path}]`;
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(kind)) {
    throw new Error(`${where} kind '${kind}' is not a Kubernetes kind. Use a workload kind such as 'Deployment'.`);
  }
  if (!isDnsSubdomain(name)) {
    throw new Error(
      `${where} name '${name}' is not a DNS-1123 subdomain. ` +
        "Use at most 253 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, e.g. 'web-api'.",
    );
  }
  const namespace = metadata.namespace;
  if (namespace !== undefined && !isDnsLabel(namespace)) {
    throw new Error(
      `${where} namespace '${namespace}' is not a DNS-1123 label. ` +
        "Use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. 'shop'.",
    );
  }
  const fileName = `${kind.toLowerCase()}-${name}.runbook.md`;
  return namespace === undefined ? fileName : `${namespace}.${fileName}`;
}

/**
 * A Mermaid flowchart of the pod's start order (init steps one by one, native sidecars gated by
 * their startup probes, then the app containers together) and its stop order.
 */
function lifecycleDiagram(spec: PodSpecJson): string[] {
  const label = (c: ContainerJson, what: string) => {
    const drain = preStopSeconds(c);
    return `["${c.name}<br/>${what}${drain ? `, drains ${drain} s` : ''}"]`;
  };
  const initContainers = spec.initContainers ?? [];
  const nativeSidecars = initContainers.filter(isNativeSidecar);
  const lines = ['flowchart LR'];
  let previous = '';
  initContainers.forEach((c, i) => {
    const id = `i${i}`;
    const what = isNativeSidecar(c)
      ? c.startupProbe ? 'native sidecar: next starts when its startupProbe passes' : 'native sidecar: next starts once it runs'
      : 'init step: runs to completion';
    lines.push(`  ${previous ? `${previous} --> ` : ''}${id}${label(c, what)}`);
    previous = id;
  });
  const apps = spec.containers.map((c) => `${c.name}${preStopSeconds(c) ? ` (drains ${preStopSeconds(c)} s)` : ''}`).join(', ');
  lines.push(`  ${previous ? `${previous} --> ` : ''}app["app containers start together:<br/>${apps}"]`);
  lines.push(`  app -- "on stop: SIGTERM after each preStop" --> stopped["app containers stopped"]`);
  let last = 'stopped';
  [...nativeSidecars].reverse().forEach((c, i) => {
    lines.push(`  ${last} --> s${i}${label(c, 'native sidecar stops after the app, in reverse order')}`);
    last = `s${i}`;
  });
  return lines;
}
