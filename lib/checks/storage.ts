import { ContainerJson, containerNames, named, PodSpecJson, VolumeJson } from '../kubernetes/manifest';
import { amountsOf, effectiveExact } from '../kubernetes/pod-resources';
import { memoryBytes } from '../kubernetes/quantity';
import type { PatternContainer } from '../pod/pattern-containers';
import { Problem, RuleDefinition, RuleLevel } from './rule';

/**
 * Rules on local storage: emptyDirs bounded, a followed log bounded, the pod's ephemeral-storage
 * limit above what its directories may hold, memory-backed directories within the writers' memory.
 * How the kubelet counts: a disk-backed emptyDir against its sizeLimit and, with the containers'
 * writable layers and logs, against the sum of the containers' ephemeral-storage limits (the pod is
 * evicted past either); a memory-backed one (tmpfs) against the memory of the container that writes it.
 */
export const STORAGE_RULES: readonly RuleDefinition[] = [
  {
    rule: 'directory-size-limit',
    level: RuleLevel.WARNING,
    failsWhen: 'an emptyDir has no sizeLimit (a warning)',
    exampleInput: "the app mounts `Volume.fromEmptyDir(chart, 'Cache', 'cache')` at `/cache`",
    exampleMessage:
      "Warning: [chart/Web] emptyDir 'cache' has no sizeLimit, so what is written there can fill the node's disk and get other pods evicted. " +
      "Give it one, e.g. Volume.fromEmptyDir(scope, id, 'cache', { sizeLimit: Size.mebibytes(128) }) (a pattern's directory: sharedVolume or handOffVolume).",
  },
  {
    rule: 'unbounded-log-directory',
    level: RuleLevel.ERROR,
    failsWhen: 'a log file is followed from a directory with no size limit',
    exampleInput: "`new Adapter(chart, 'Logs', { workload, source: AdapterSource.logFile('/var/log/app/app.log') })` and a JSON patch removing the directory's sizeLimit",
    exampleMessage:
      "[chart/Web] container 'logs' (added by chart/Logs): follows /var/log/app/app.log in emptyDir 'shared-var-log-app-cf0b1e', which has no sizeLimit: the log grows for as long as the pod lives. " +
      'Give the directory a sizeLimit (the patterns render 128Mi unless told otherwise; remove the patch that drops it).',
  },
  {
    rule: 'ephemeral-storage-limit',
    level: RuleLevel.ERROR,
    failsWhen: "the pod's ephemeral-storage limit is below what its disk-backed directories may hold",
    exampleInput: "`new Sidecar(chart, 'Shipper', { workload, sharedPath: '/var/log/app', sharedVolume: { sizeLimit: Size.mebibytes(512) }, ... })` (the sidecar's limit 256Mi)",
    exampleMessage:
      "[chart/Web] the pod's ephemeral-storage limit 256Mi (the sum of its containers' limits, which the kubelet evicts the pod at) is below the 512Mi its disk-backed emptyDirs may hold ('shared-var-log-app-cf0b1e' 512Mi, written by 'app', 'shipper'). " +
      "Raise the ephemeral-storage limits of the containers that write them (ephemeralStorageMebibytes, or PodComposition.sizeEphemeralStorage for yours), or lower the directories' sizeLimit.",
  },
  {
    rule: 'memory-backed-directory',
    level: RuleLevel.ERROR,
    failsWhen: "a memory-backed emptyDir may hold more than the memory limit of a container that writes it",
    exampleInput: "`new InitSteps(chart, 'Secrets', { workload, handOffVolume: { medium: EmptyDirMedium.MEMORY, sizeLimit: Size.mebibytes(128) }, ... })` (the step's memory limit 64Mi)",
    exampleMessage:
      "[chart/Web] container 'render' (added by chart/Secrets): writes memory-backed emptyDir 'shared-handoff-24861f', which may hold 128Mi, above its memory limit 64Mi: tmpfs counts against the memory of the container that writes it, so it is OOM-killed first. " +
      "Raise the container's memory limit above the directory's sizeLimit, or lower the sizeLimit.",
  },
];

/** The volumes of a pod that are emptyDirs, with their medium and size limit in bytes (undefined: none). */
function emptyDirs(spec: PodSpecJson): { volume: VolumeJson; index: number; memory: boolean; limit?: bigint }[] {
  const found: { volume: VolumeJson; index: number; memory: boolean; limit?: bigint }[] = [];
  const volumes = spec.volumes ?? [];
  for (let index = 0; index < volumes.length; index++) {
    const volume = volumes[index];
    const emptyDir = volume.emptyDir;
    if (!emptyDir) continue;
    const limit = emptyDir.sizeLimit === undefined ? undefined : memoryBytes(emptyDir.sizeLimit);
    found.push({ volume, index, memory: emptyDir.medium === 'Memory', limit });
  }
  return found;
}

/** Who mounts volume `name` read-write: the containers that can write it. */
function writersOf(containers: readonly ContainerJson[], name: string): ContainerJson[] {
  return containers.filter((c) => (c.volumeMounts ?? []).some((m) => m.name === name && !m.readOnly));
}

/** Bytes as Kubernetes writes them: whole Mi where they are, else whole Ki, else bytes. */
function mebibytes(bytes: bigint): string {
  if (bytes % 1048576n === 0n) return `${bytes / 1048576n}Mi`;
  return bytes % 1024n === 0n ? `${bytes / 1024n}Ki` : `${bytes}`;
}

/** The storage rules that read the pod alone; `containers` are the pod's, init containers first. */
export function checkPodStorage(problems: Problem[], spec: PodSpecJson, containers: readonly ContainerJson[], path: string): void {
  const dirs = emptyDirs(spec);
  for (const { volume, index, limit } of dirs) {
    // Huge pages are bounded by their own resource, not by the node's disk.
    if (limit !== undefined || volume.emptyDir?.medium?.startsWith('HugePages')) continue;
    problems.push({
      rule: 'directory-size-limit',
      field: `${path}.volumes[${index}].emptyDir.sizeLimit`,
      message: `emptyDir '${volume.name}' has no sizeLimit, so what is written there can fill the node's disk and get other pods evicted`,
      fix: `Give it one, e.g. Volume.fromEmptyDir(scope, id, '${volume.name}', { sizeLimit: Size.mebibytes(128) }) (a pattern's directory: sharedVolume or handOffVolume).`,
    });
  }
  for (const { volume, memory, limit } of dirs) {
    if (!memory || limit === undefined) continue;
    for (const writer of writersOf(containers, volume.name)) {
      const memoryLimit = amountsOf(writer, 'limits').bytes;
      if (memoryLimit === 0n || memoryLimit >= limit) continue;
      problems.push({
        rule: 'memory-backed-directory',
        container: writer.name,
        field: `${path}.volumes[${(spec.volumes ?? []).indexOf(volume)}].emptyDir.sizeLimit`,
        value: volume.emptyDir?.sizeLimit,
        message:
          `writes memory-backed emptyDir '${volume.name}', which may hold ${mebibytes(limit)}, above its memory limit ${mebibytes(memoryLimit)}: ` +
          'tmpfs counts against the memory of the container that writes it, so it is OOM-killed first',
        fix: "Raise the container's memory limit above the directory's sizeLimit, or lower the sizeLimit.",
      });
    }
  }
  const onDisk = dirs.filter((d) => !d.memory && !d.volume.emptyDir?.medium && d.limit !== undefined);
  if (onDisk.length === 0) return;
  const mayHold = onDisk.reduce((total, d) => total + d.limit!, 0n);
  const podLimit = effectiveExact(spec, 'limits').storageBytes;
  if (podLimit === 0n || podLimit >= mayHold) return;
  const listed = onDisk.map((d) => `'${d.volume.name}' ${mebibytes(d.limit!)}, written by ${containerNames(writersOf(containers, d.volume.name))}`).join('; ');
  problems.push({
    rule: 'ephemeral-storage-limit',
    field: `${path}.containers[*].resources.limits.ephemeral-storage`,
    message:
      `the pod's ephemeral-storage limit ${mebibytes(podLimit)} (the sum of its containers' limits, which the kubelet evicts the pod at) ` +
      `is below the ${mebibytes(mayHold)} its disk-backed emptyDirs may hold (${listed})`,
    fix:
      'Raise the ephemeral-storage limits of the containers that write them (ephemeralStorageMebibytes, or PodComposition.sizeEphemeralStorage for yours), ' +
      "or lower the directories' sizeLimit.",
  });
}

/** A pattern container that follows a log file must find it in a bounded directory. */
export function followedLogProblems(spec: PodSpecJson, containers: readonly ContainerJson[], patternContainers: readonly PatternContainer[]): Problem[] {
  const problems: Problem[] = [];
  for (const { container, followedLog } of patternContainers) {
    if (followedLog === undefined) continue;
    const json = named(containers, container.name);
    // The mount the file is under: the deepest mount path that holds it.
    const mount = (json?.volumeMounts ?? [])
      .filter((m) => followedLog.startsWith(`${m.mountPath.replace(/\/$/, '')}/`))
      .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
    const volume = mount && named(spec.volumes, mount.name);
    if (!volume?.emptyDir || volume.emptyDir.sizeLimit !== undefined) continue;
    problems.push({
      rule: 'unbounded-log-directory',
      container: container.name,
      field: `volumes.${volume.name}.emptyDir.sizeLimit`,
      message: `follows ${followedLog} in emptyDir '${volume.name}', which has no sizeLimit: the log grows for as long as the pod lives`,
      fix: "Give the directory a sizeLimit (the patterns render 128Mi unless told otherwise; remove the patch that drops it).",
    });
  }
  return problems;
}
