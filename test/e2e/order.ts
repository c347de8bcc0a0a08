// Start and stop order, read from the API's own pod status (initContainerStatuses and
// containerStatuses: started, startedAt, finishedAt, exit codes): what the real kubelet did.
// Kubernetes records these times to the second, so "before" here means "not later than".
import { Container, containersOf, PodSpec } from './kube';

interface ContainerState {
  running?: { startedAt: string };
  terminated?: { exitCode: number; startedAt: string; finishedAt: string; reason?: string };
  waiting?: { reason: string; message?: string };
}
interface ContainerStatus {
  name: string; started?: boolean; ready: boolean; restartCount: number;
  state: ContainerState; lastState: ContainerState;
}
export interface PodJson {
  metadata: { name: string; namespace: string; labels?: Record<string, string>; ownerReferences?: { kind: string; name: string }[] };
  spec: PodSpec & { nodeName?: string };
  status: { phase: string; initContainerStatuses?: ContainerStatus[]; containerStatuses?: ContainerStatus[] };
}

const isNativeSidecar = (c: Container) => c.restartPolicy === 'Always';
export const hasNativeSidecars = (spec: PodSpec) => (spec.initContainers ?? []).some(isNativeSidecar);

const seconds = (time: string | undefined) => (time ? Date.parse(time) / 1000 : undefined);

/** First start (a restarted container's earlier run is in lastState) and last finish, in epoch seconds. */
function times(status: ContainerStatus | undefined) {
  if (!status) return { started: undefined, finished: undefined, exitCode: undefined };
  const { running, terminated } = status.state;
  const started = seconds(status.lastState.terminated?.startedAt ?? running?.startedAt ?? terminated?.startedAt);
  return { started, finished: seconds(terminated?.finishedAt), exitCode: terminated?.exitCode };
}

function statusesOf(pod: PodJson): Map<string, ContainerStatus> {
  return new Map([...(pod.status.initContainerStatuses ?? []), ...(pod.status.containerStatuses ?? [])].map((s) => [s.name, s]));
}

/** The order failures of one pod (none = the kubelet ran it as declared), and its timeline. */
export function orderOf(pod: PodJson): { failures: string[]; timeline: string[] } {
  const statuses = statusesOf(pod);
  const all = containersOf(pod.spec);
  const t = (c: Container) => times(statuses.get(c.name));
  const failures: string[] = [];
  const where = (c: Container) => `pod ${pod.metadata.name}, container ${c.name}`;
  const inits = pod.spec.initContainers ?? [];

  for (const [i, init] of inits.entries()) {
    const mine = t(init);
    if (mine.started === undefined) {
      failures.push(`${where(init)}: never started (${JSON.stringify(statuses.get(init.name)?.state ?? {})})`);
      continue;
    }
    // The kubelet starts the next container only after this one exited 0 (a step) or started (a native sidecar).
    const doneAt = isNativeSidecar(init) ? mine.started : mine.finished;
    if (!isNativeSidecar(init) && mine.exitCode !== 0) failures.push(`${where(init)}: init step ended with exit code ${mine.exitCode ?? '(still running)'}`);
    for (const later of all.slice(i + 1)) {
      const theirs = t(later);
      if (doneAt !== undefined && theirs.started !== undefined && theirs.started < doneAt) {
        failures.push(`${where(later)}: started at ${theirs.started}, before ${init.name} ${isNativeSidecar(init) ? 'started' : 'finished'} at ${doneAt}`);
      }
    }
  }

  // A pod that ran to completion: the app exited 0, then the native sidecars stopped, last declared first.
  if (pod.status.phase === 'Succeeded') {
    const appFinished = Math.max(...pod.spec.containers.map((c) => t(c).finished ?? Infinity));
    const sidecars = inits.filter(isNativeSidecar);
    for (const [i, sidecar] of sidecars.entries()) {
      const { finished } = t(sidecar);
      if (finished === undefined) failures.push(`${where(sidecar)}: still running in a completed pod`);
      else if (finished < appFinished) failures.push(`${where(sidecar)}: stopped at ${finished}, before the app finished at ${appFinished}`);
      // 137: SIGKILLed after the grace period. It ignored SIGTERM, and the Job waited for it.
      if (t(sidecar).exitCode === 137) failures.push(`${where(sidecar)}: killed (exit code 137) after the grace period: it ignores SIGTERM, so the pod stopped late`);
      const next = sidecars[i + 1];
      const nextFinished = next && t(next).finished;
      if (finished !== undefined && nextFinished !== undefined && nextFinished > finished) {
        failures.push(`${where(next)}: stopped at ${nextFinished}, after ${sidecar.name} (declared before it) at ${finished}: not reverse order`);
      }
    }
  }

  const origin = Math.min(...all.map((c) => t(c).started ?? Infinity));
  const at = (s: number | undefined) => (s === undefined ? '-' : `+${s - origin} s`);
  const timeline = all.map((c) => {
    const s = statuses.get(c.name);
    const { started, finished, exitCode } = t(c);
    const role = inits.includes(c) ? (isNativeSidecar(c) ? 'native sidecar' : 'init step') : 'app container';
    const end = finished !== undefined ? `, finished ${at(finished)} (exit code ${exitCode})` : s?.started ? ', running' : '';
    return `${role.padEnd(14)} ${c.name.padEnd(22)} started ${at(started)}${end}${s?.restartCount ? `, ${s.restartCount} restarts` : ''}`;
  });
  return { failures, timeline };
}
