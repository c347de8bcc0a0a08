import { describeValue } from '../kubernetes/values';
import { Interned } from '../kubernetes/interned';
import { ContainerJson, containerField, containerNames, named, PodSpecJson, PodTemplateJson } from '../kubernetes/manifest';
import { DNS_LABEL_FIX, isDnsLabel } from '../kubernetes/names';
import type { EnvAssignment } from '../pod/pattern-env';
import { DEFAULT_CONTAINER_ANNOTATION } from '../pod/pod-settings';
import { invalidName, Problem, repeated, RuleDefinition, RuleLevel } from './rule';

/** Rules on containers: names, images, env, mounts, and what a run-to-completion init container cannot have. */
export const CONTAINERS_RULES: readonly RuleDefinition[] = [
  {
    rule: 'container-name',
    level: RuleLevel.ERROR,
    failsWhen: 'a container name is not a DNS-1123 label',
    exampleInput: "`new Sidecar(chart, 'Shipper', { workload, name: 'Log_Shipper' })`",
    exampleMessage: "[chart/Web] container 'Log_Shipper' (added by chart/Shipper): name is not a DNS-1123 label. Use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit.",
  },
  {
    rule: 'duplicate-container-name',
    level: RuleLevel.ERROR,
    failsWhen: 'two containers share a name across init and app containers',
    exampleInput: "`new InitSteps(chart, 'Init', { workload, steps: [{ name: 'app' }] })`",
    exampleMessage: "[chart/Web] container name 'app' is used twice. Give each init and app container a name of its own.",
  },
  {
    rule: 'image-reference',
    level: RuleLevel.ERROR,
    failsWhen: 'an image reference is malformed',
    exampleInput: "`image: 'Busybox:1.36!'`",
    exampleMessage: "[chart/Web] container 'shipper' (added by chart/Shipper): image 'Busybox:1.36!' is not a valid image reference. Use [registry/]name[:tag][@digest] with a lower-case name, e.g. 'registry.example.com/team/app:1.2.3'.",
  },
  {
    rule: 'image-tag',
    level: RuleLevel.WARNING,
    failsWhen: 'an image has the latest tag (a warning)',
    exampleInput: "`image: 'busybox:latest'`",
    exampleMessage: "Warning: [chart/Web] container 'shipper' (added by chart/Shipper): image 'busybox:latest' can change under the same name. Pin a tag (e.g. 'busybox:1.36') or a digest ('busybox@sha256:...').",
  },
  {
    rule: 'env-name',
    level: RuleLevel.ERROR,
    failsWhen: 'an env name is invalid',
    exampleInput: "`envVariables: { '1LEVEL': kplus.EnvValue.fromValue('x') }`",
    exampleMessage: "[chart/Web] container 'shipper' (added by chart/Shipper): env name '1LEVEL' is invalid. Use letters, digits, '_', '-' and '.', not starting with a digit or '..', and not just '.'.",
  },
  {
    rule: 'duplicate-env',
    level: RuleLevel.ERROR,
    failsWhen: 'an env name is set twice in a container',
    exampleInput: "a JSON patch adding a second `MODE` to the app's env",
    exampleMessage: "[chart/Web] container 'app': env 'MODE' is set twice. Set each variable once (patterns add HANDOFF_DIR and <UPSTREAM>_ADDR).",
  },
  {
    rule: 'env-overwritten',
    level: RuleLevel.ERROR,
    failsWhen: "a variable a pattern set is replaced afterwards by the container's own env",
    exampleInput: "`new Ambassador(chart, 'Db', { workload, upstreams: [{ name: 'db', ... }] })`, then `app.env.addVariable('DB_ADDR', ...)`",
    exampleMessage: "[chart/Web] container 'app': env DB_ADDR, set by chart/Db to 'localhost:9000', was replaced afterwards with 'remote:5432'. Set the variable once: rename your own variable, or leave it to the pattern.",
  },
  {
    rule: 'missing-volume',
    level: RuleLevel.ERROR,
    failsWhen: 'a container mounts a volume the pod does not have',
    exampleInput: "a JSON patch adding `volumeMounts: [{ name: 'ghost', mountPath: '/data' }]` to the app",
    exampleMessage: "[chart/Web] container 'app': mounts volume 'ghost' at /data, which the pod does not have. Mount the volume through container.mount(path, volume) so it is added to the pod, or add it with addVolume.",
  },
  {
    rule: 'duplicate-mount-path',
    level: RuleLevel.ERROR,
    failsWhen: 'two volumes are mounted on one path in a container',
    exampleInput: "the app mounts another volume at `/var/log/app`, then `new Sidecar(chart, 'Shipper', { workload, sharedPath: '/var/log/app' })`",
    exampleMessage: "[chart/Web] container 'app': two volumes are mounted at /var/log/app. Mount each path once (patterns share one emptyDir per path).",
  },
  {
    rule: 'init-container-probe',
    level: RuleLevel.ERROR,
    failsWhen: 'a run-to-completion init container has a lifecycle hook or probe',
    exampleInput: "`workload.addInitContainer({ name: 'migrate', ..., lifecycle: { preStop: kplus.Handler.fromCommand(['true']) } })`",
    exampleMessage: "[chart/Web] container 'migrate': an init container that runs to completion cannot have lifecycle. Remove it, or make the container a native sidecar (restartPolicy: Always), which can have probes and hooks.",
  },
  {
    rule: 'container-reference',
    level: RuleLevel.ERROR,
    failsWhen: 'the default container names no container of the pod',
    exampleInput: "`PodComposition.of(workload).defaultContainer = 'ap'`",
    exampleMessage: "[chart/Web] the default container 'ap' is not a container of the pod (its containers: 'app', 'shipper'), so kubectl logs and kubectl exec without -c would fail. Set defaultContainer (or the annotation) to one of those names.",
  },
];

/** Kubernetes 1.27 env names (IsEnvVarName, which also refuses '.' and names starting with '..'). */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
/** registry/path:tag@digest, lower-case path, as the container runtime parses references. */
const IMAGE_REFERENCE =
  /^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$/;
/** What an init container that runs to completion cannot have. */
const INIT_ONLY_FIELDS = ['startupProbe', 'readinessProbe', 'livenessProbe', 'lifecycle'] as const;

/** One container on its own. `runsToCompletion` is true for init containers that are not native sidecars. */
export function checkContainer(problems: Problem[], container: ContainerJson, path: string, runsToCompletion: boolean): void {
  const name = container.name;
  if (!isDnsLabel(name)) {
    problems.push({ rule: 'container-name', container: name, field: `${path}.name`, value: name, message: 'name is not a DNS-1123 label', fix: DNS_LABEL_FIX });
  }
  checkImage(problems, name, path, container.image ?? '');
  if (container.env) checkEnv(problems, name, path, container.env);
  for (const mountPath of repeated(container.volumeMounts ?? [], 'mountPath')) {
    problems.push({
      rule: 'duplicate-mount-path',
      container: name,
      field: `${path}.volumeMounts`,
      value: mountPath,
      message: `two volumes are mounted at ${mountPath}`,
      fix: 'Mount each path once (patterns share one emptyDir per path).',
    });
  }
  if (!runsToCompletion) return;
  for (const field of INIT_ONLY_FIELDS) {
    if (container[field] !== undefined) {
      problems.push({
        rule: 'init-container-probe',
        container: name,
        field: `${path}.${field}`,
        message: `an init container that runs to completion cannot have ${field}`,
        fix: 'Remove it, or make the container a native sidecar (restartPolicy: Always), which can have probes and hooks.',
      });
    }
  }
}

/** Across the pod's containers (`all`, init containers first): names used twice, volumes mounted but missing. */
export function checkPodContainers(problems: Problem[], spec: PodSpecJson, all: readonly ContainerJson[], path: string): void {
  for (const name of repeated(all, 'name')) {
    problems.push({
      rule: 'duplicate-container-name',
      field: `${path}.containers`,
      value: name,
      message: `container name '${name}' is used twice`,
      fix: 'Give each init and app container a name of its own.',
    });
  }
  const volumes = spec.volumes ?? [];
  const initCount = spec.initContainers?.length ?? 0;
  for (let c = 0; c < all.length; c++) {
    const container = all[c];
    const mounts = container.volumeMounts ?? [];
    for (let i = 0; i < mounts.length; i++) {
      const mount = mounts[i];
      if (named(volumes, mount.name)) continue;
      problems.push({
        rule: 'missing-volume',
        container: container.name,
        field: `${containerField(path, initCount, c)}.volumeMounts[${i}].name`,
        value: mount.name,
        message: `mounts volume '${mount.name}' at ${mount.mountPath}, which the pod does not have`,
        fix: 'Mount the volume through container.mount(path, volume) so it is added to the pod, or add it with addVolume.',
      });
    }
  }
}

/** What is wrong with an image reference, by the reference: a few distinct images recur in every pod. */
const IMAGE_FINDINGS = new Interned<Pick<Problem, 'rule' | 'message' | 'fix'> | undefined>(1_000);

/** An image reference must parse; one that can change under the same name is advice (a warning by default). */
function checkImage(problems: Problem[], container: string, path: string, image: string): void {
  const found = IMAGE_FINDINGS.of(image, imageFinding);
  if (found) problems.push({ ...found, container, field: `${path}.image`, value: image });
}

function imageFinding(image: string): Pick<Problem, 'rule' | 'message' | 'fix'> | undefined {
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  return image.trim() === ''
    ? { rule: 'image-reference', message: 'image is empty', fix: "Give an image reference such as 'busybox:1.36'." }
    : !IMAGE_REFERENCE.test(image)
      ? {
          rule: 'image-reference',
          message: `image '${image}' is not a valid image reference`,
          fix: "Use [registry/]name[:tag][@digest] with a lower-case name, e.g. 'registry.example.com/team/app:1.2.3'.",
        }
      : !image.includes('@') && (!lastPart.includes(':') || image.endsWith(':latest'))
        ? { rule: 'image-tag', message: `image '${image}' can change under the same name`, fix: "Pin a tag (e.g. 'busybox:1.36') or a digest ('busybox@sha256:...')." }
        : undefined;
}

function checkEnv(problems: Problem[], container: string, path: string, env: { name: string }[]): void {
  for (let i = 0; i < env.length; i++) {
    const name = env[i].name;
    if (!ENV_NAME.test(name) || name === '.' || name.startsWith('..')) {
      problems.push(
        invalidName('env-name', container, `${path}.env[${i}].name`, `env name '${name}'`, name,
          "Use letters, digits, '_', '-' and '.', not starting with a digit or '..', and not just '.'."),
      );
    }
  }
  for (const name of repeated(env, 'name')) {
    problems.push({
      rule: 'duplicate-env',
      container,
      field: `${path}.env`,
      value: name,
      message: `env '${name}' is set twice`,
      fix: 'Set each variable once (patterns add HANDOFF_DIR and <UPSTREAM>_ADDR).',
    });
  }
}

/** Variables patterns set that the container's own env replaced afterwards (cdk8s-plus keeps the last silently). */
export function overwrittenEnvProblems(assignments: readonly EnvAssignment[], containers: readonly ContainerJson[]): Problem[] {
  const problems: Problem[] = [];
  for (const { container, name, value, setBy } of assignments) {
    const rendered = named(named(containers, container)?.env, name);
    if (!rendered || rendered.value === value) continue;
    problems.push({
      rule: 'env-overwritten',
      container,
      field: 'env',
      value: name,
      message: `env ${name}, set by ${setBy.node.path} to '${value}', was replaced afterwards with ${describeValue(rendered.value)}`,
      fix: 'Set the variable once: rename your own variable, or leave it to the pattern.',
    });
  }
  return problems;
}

/** The default-container annotation (set by defaultContainer or by hand) against the pod's containers. */
export function defaultContainerProblems(template: PodTemplateJson, containers: readonly ContainerJson[]): Problem[] {
  const name = template.metadata?.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (name === undefined || named(containers, name)) return [];
  return [
    {
      rule: 'container-reference',
      field: `metadata.annotations.${DEFAULT_CONTAINER_ANNOTATION}`,
      value: name,
      message: `the default container '${name}' is not a container of the pod (its containers: ${containerNames(containers)}), so kubectl logs and kubectl exec without -c would fail`,
      fix: 'Set defaultContainer (or the annotation) to one of those names.',
    },
  ];
}
