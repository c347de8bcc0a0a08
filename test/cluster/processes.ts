// Running commands, and the cluster's background components: each started detached with its pid
// recorded under .cluster/run, and stopped by that pid only (never by name).
import { execFile, spawn } from 'child_process';
import { closeSync, existsSync, openSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'fs';
import { setTimeout as sleep } from 'timers/promises';
import { Component, logFile, pidFile } from './layout';

export interface Result { code: number; stdout: string; stderr: string }
export interface RunOptions { timeoutMs?: number; input?: string; env?: NodeJS.ProcessEnv; cwd?: string }

/** Runs a command to its end; never throws (the code says how it went). */
export function run(cmd: string, args: string[], options: RunOptions = {}): Promise<Result> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 256 << 20, env: options.env, cwd: options.cwd }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      const killed = err?.signal ? `\n(killed by ${err.signal}${err.killed ? ` after ${timeoutMs / 1000} s` : ''})` : '';
      resolve({ code, stdout, stderr: stderr + killed });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs a command and returns its stdout; throws with its output when it fails. */
export async function must(cmd: string, args: string[], options: RunOptions = {}): Promise<string> {
  const r = await run(cmd, args, options);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit code ${r.code}):\n${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** The pid file holds the pid and the executable it runs, so a reused pid is never mistaken for ours. */
interface Recorded { pid: number; exe: string }

function recorded(component: Component): Recorded | undefined {
  if (!existsSync(pidFile(component))) return undefined;
  const [pid, exe] = readFileSync(pidFile(component), 'utf8').trim().split(' ');
  return { pid: Number(pid), exe };
}

/** True when the recorded process still runs the recorded executable. */
function alive(r: Recorded): boolean {
  try {
    return readlinkSync(`/proc/${r.pid}/exe`).replace(/ \(deleted\)$/, '') === r.exe;
  } catch {
    return false;
  }
}

/** The component's pid if the process `up` started for it is still running. */
export function runningPid(component: Component): number | undefined {
  const r = recorded(component);
  return r && alive(r) ? r.pid : undefined;
}

/** Starts `exe args` in the background, its output appended to the component's log, and records its pid. */
export function startComponent(component: Component, exe: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const out = openSync(logFile(component), 'a');
  const child = spawn(exe, args, { detached: true, stdio: ['ignore', out, out], env });
  closeSync(out);
  if (!child.pid) throw new Error(`${component}: could not start ${exe}`);
  child.unref();
  writeFileSync(pidFile(component), `${child.pid} ${readlinkSync(`/proc/${child.pid}/exe`)}\n`);
  return child.pid;
}

/** Stops the recorded process (SIGTERM, then SIGKILL after `graceMs`) and forgets it. */
export async function stopComponent(component: Component, graceMs = 10_000): Promise<'stopped' | 'not running'> {
  const r = recorded(component);
  rmSync(pidFile(component), { force: true });
  if (!r || !alive(r)) return 'not running';
  process.kill(r.pid, 'SIGTERM');
  for (const deadline = Date.now() + graceMs; Date.now() < deadline && alive(r);) await sleep(100);
  if (alive(r)) process.kill(r.pid, 'SIGKILL');
  while (alive(r)) await sleep(50);
  return 'stopped';
}

/** The last lines of a component's log, for an error message. */
function logTail(component: Component, lines = 15): string {
  if (!existsSync(logFile(component))) return '  (no log)';
  return readFileSync(logFile(component), 'utf8').trimEnd().split('\n').slice(-lines).map((l) => `  | ${l}`).join('\n');
}

/** Polls `ready` every 250 ms until it is true; throws `what` with the component's log tail after `timeoutMs`. */
export async function waitFor(component: Component, what: string, ready: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready()) return;
    if (!runningPid(component)) throw new Error(`${component} exited before ${what}; its log:\n${logTail(component)}`);
    if (Date.now() > deadline) throw new Error(`${component}: not ${what} after ${timeoutMs / 1000} s; its log:\n${logTail(component)}`);
    await sleep(250);
  }
}
