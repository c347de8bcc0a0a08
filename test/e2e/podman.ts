// Thin async wrappers around the podman CLI. Async (not execFileSync) so that Ctrl-C reaches our
// signal handler while a poll is waiting, and teardown can still run.
import { execFile } from 'child_process';

export interface Result { code: number; stdout: string; stderr: string }

export function run(cmd: string, args: string[], timeoutMs = 60_000): Promise<Result> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      const killed = err?.signal ? `\n(killed by ${err.signal}${err.killed ? ` after ${timeoutMs / 1000} s` : ''})` : '';
      resolve({ code, stdout, stderr: stderr + killed });
    });
  });
}

export const podman = (...args: string[]) => run('podman', args);

/** Plays the file; podman returns only once every init container has exited. */
export const play = (file: string, timeoutMs: number) => run('podman', ['kube', 'play', file], timeoutMs);

/** Podman names a kube pod's containers `<pod>-<container>`. */
export const containerName = (pod: string, container: string) => `${pod}-${container}`;

/** stdout and stderr interleaved as written, like `kubectl logs -c` shows them. */
export async function logs(name: string, tail?: number): Promise<string[]> {
  const tailArgs = tail ? `--tail ${tail} ` : '';
  const r = await run('sh', ['-c', `podman logs ${tailArgs}"$1" 2>&1`, 'sh', name]);
  return r.stdout ? r.stdout.replace(/\n$/, '').split('\n') : [];
}

export interface State {
  Status: string; ExitCode: number; Error: string; OOMKilled: boolean;
  StartedAt: string; FinishedAt: string;
}

/** The container's state, or undefined if it no longer exists (podman removes finished init containers). */
export async function inspect(name: string): Promise<State | undefined> {
  const r = await podman('container', 'inspect', '--format', '{{json .State}}', name);
  return r.code === 0 ? (JSON.parse(r.stdout) as State) : undefined;
}

export interface PsEntry { Names: string[]; ExitCode: number; Exited: boolean }

/** All containers of a pod in one call: cheap enough to poll every second. */
export async function ps(pod: string): Promise<Map<string, PsEntry>> {
  const r = await podman('ps', '-a', '--filter', `pod=${pod}`, '--format', 'json');
  const entries = r.code === 0 ? (JSON.parse(r.stdout || '[]') as PsEntry[]) : [];
  return new Map(entries.map((e) => [e.Names[0], e]));
}

export interface Event { Name: string; Status: string; Time: string; ContainerExitCode?: number }

/** Container events since `since`: the only record left of init containers, which podman removes. */
export async function events(since: Date): Promise<Event[]> {
  const r = await podman('events', '--stream=false', '--filter', 'type=container',
    '--since', since.toISOString(), '--format', 'json');
  return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Event);
}

/**
 * Removes the pods at once: busybox sh as PID 1 ignores SIGTERM, so a plain stop waits 10 s per
 * container. A separate `stop --time 0` is used because `rm --force --time 0` alone takes 3.5 s a
 * pod here. `kube down` then removes whatever else the play created.
 */
export async function teardown(file: string, pods: string[]): Promise<void> {
  if (pods.length) {
    await podman('pod', 'stop', '--ignore', '--time', '0', ...pods);
    await podman('pod', 'rm', '--force', '--ignore', ...pods);
  }
  await podman('kube', 'down', file);
}
