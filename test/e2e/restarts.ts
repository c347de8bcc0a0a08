// Restart rules, read from the API's pod status: a container restarted on an exit code in its rule,
// alone; and a helper's exit restarting every container of its pod in place.
import { poll, Transcript } from './kube';

interface Status { name: string; restartCount: number; lastState?: { terminated?: { exitCode: number } } }
interface PodStatuses { metadata: { name: string }; status: { initContainerStatuses?: Status[]; containerStatuses?: Status[] } }

/** The container statuses of the pod its controller named `<workload>-...`, init containers first. */
async function statusesOf(t: Transcript, workload: string): Promise<Status[]> {
  const r = await t.kubectl(['get', 'pods', '-o', 'json']);
  if (r.code !== 0) return [];
  const pod = (JSON.parse(r.stdout).items as PodStatuses[]).find((p) => p.metadata.name.startsWith(`${workload}-`));
  return pod ? [...(pod.status.initContainerStatuses ?? []), ...(pod.status.containerStatuses ?? [])] : [];
}

const count = (statuses: Status[], name: string) => statuses.find((s) => s.name === name)?.restartCount;
const summary = (statuses: Status[]) => statuses.map((s) => `${s.name} restarts ${s.restartCount}`).join(', ');

export async function restartRuleFailures(t: Transcript, notes: string[]): Promise<string[]> {
  const failures: string[] = [];
  // The Job's app exits 42 once: the rule restarts it, and only it (its pod's restartPolicy is Never).
  const job = await poll(120_000, async () => {
    const statuses = await statusesOf(t, 'restart-rules-job');
    return count(statuses, 'app') === 1 ? statuses : undefined;
  });
  if (!job) failures.push("restart-rules-job: the app's restart count never reached 1");
  else {
    const exitCode = job.find((s) => s.name === 'app')!.lastState?.terminated?.exitCode;
    if (exitCode !== 42) failures.push(`restart-rules-job: the app's last exit code is ${exitCode}, not 42`);
    if (count(job, 'heartbeat') !== 0) failures.push(`restart-rules-job: the heartbeat restarted too (${count(job, 'heartbeat')})`);
    notes.push(`restart-rules-job: ${summary(job)}`);
  }
  // The Deployment's helper exits 3 once: every container restarts in place, the init step included.
  const all = await poll(120_000, async () => {
    const statuses = await statusesOf(t, 'restart-all-example');
    return statuses.length > 0 && statuses.every((s) => s.restartCount >= 1) ? statuses : undefined;
  });
  if (!all) failures.push(`restart-all-example: not every container restarted after the helper exited (${summary(await statusesOf(t, 'restart-all-example'))})`);
  else notes.push(`restart-all-example: ${summary(all)}`);
  return failures;
}
