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

export interface PodNetwork { pid: number; ip: string }

/** The pod's network namespace (its infra container's PID) and IP, where probes and checks run. */
export async function podNetwork(pod: string): Promise<PodNetwork | undefined> {
  const infra = await podman('pod', 'inspect', '--format', '{{.InfraContainerID}}', pod);
  if (infra.code !== 0) return undefined;
  const r = await podman('inspect', '--format', '{{.State.Pid}} {{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', infra.stdout.trim());
  const [pid, ip] = r.stdout.trim().split(' ');
  return r.code === 0 && Number(pid) > 0 ? { pid: Number(pid), ip: ip ?? '' } : undefined;
}

/** Runs a host program inside the pod's network namespace, as a process in the pod would connect. */
export const inPodNetwork = (network: PodNetwork, args: string[], timeoutMs = 10_000) =>
  run('nsenter', ['-t', String(network.pid), '-n', '--', ...args], timeoutMs);

/**
 * GETs `url` from inside the pod (busybox wget: a status outside 2xx/3xx fails). `timeout`, not
 * wget's own -T, which segfaults in Debian's busybox 1.35.
 */
export const httpGetInPod = (network: PodNetwork, url: string, timeoutSeconds = 2) =>
  inPodNetwork(network, ['timeout', String(timeoutSeconds), 'busybox', 'wget', '-q', '-O', '-', url], (timeoutSeconds + 2) * 1000);

/** Opens a TCP connection from inside the pod (bash /dev/tcp): exit 0 once something accepts. */
export const tcpConnectInPod = (network: PodNetwork, host: string, port: number, timeoutSeconds = 1) =>
  inPodNetwork(network, ['timeout', String(timeoutSeconds), 'bash', '-c', 'exec 3<>"/dev/tcp/$0/$1"', host, String(port)], (timeoutSeconds + 2) * 1000);

/** Start and finish times in ms since the epoch (0 when it has not happened), from podman's own record. */
export async function times(name: string): Promise<{ started: number; finished: number; exitCode: number; status: string } | undefined> {
  const r = await podman('container', 'inspect', '--format',
    '{{.State.StartedAt.UnixMilli}} {{.State.FinishedAt.UnixMilli}} {{.State.ExitCode}} {{.State.Status}}', name);
  if (r.code !== 0) return undefined;
  const [started, finished, exitCode, status] = r.stdout.trim().split(' ');
  // A zero time.Time is year 1: negative milliseconds.
  const ms = (value: string) => Math.max(0, Number(value));
  return { started: ms(started), finished: ms(finished), exitCode: Number(exitCode), status };
}
