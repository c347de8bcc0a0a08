// kubectl against the test cluster, with a transcript: every command and what it printed, so a
// failed check shows exactly what a user would have seen.
import { setTimeout as sleep } from 'timers/promises';
import { parseAllDocuments } from 'yaml';
import { kubectl } from '../cluster/cluster';
import { Result } from '../cluster/processes';

export class Transcript {
  private readonly lines: string[] = [];
  /** The last command's entry and how often it repeated with the same output (polls). */
  private last = { entry: '', repeats: 0 };

  /** Runs `kubectl args` (stdin from `input`) and records it; a poll repeating itself is recorded once, with a count. */
  async kubectl(args: string[], input?: string): Promise<Result> {
    const r = await kubectl(args, input);
    const entry = JSON.stringify([args, r]);
    if (entry === this.last.entry) {
      this.last.repeats++;
      return r;
    }
    this.flushRepeats();
    this.last = { entry, repeats: 0 };
    const quoted = args.map((a) => (/^[\w./:=,@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`));
    this.lines.push(`$ kubectl ${quoted.join(' ')}`);
    const output = `${r.stdout}${r.stderr}`.trimEnd().split('\n').filter(Boolean);
    // Long outputs (describe, logs) keep their ends: where the answer usually is.
    const kept = output.length > 40 ? [...output.slice(0, 15), `... (${output.length - 35} lines)`, ...output.slice(-20)] : output;
    this.lines.push(...kept.map((l) => `  ${l}`));
    if (r.code !== 0) this.lines.push(`  (exit code ${r.code})`);
    return r;
  }

  private flushRepeats(): void {
    if (this.last.repeats) this.lines.push(`  (the same ${this.last.repeats} more times)`);
  }

  text(): string[] {
    this.flushRepeats();
    this.last.repeats = 0;
    return this.lines;
  }
}

export interface Container {
  name: string;
  image: string;
  restartPolicy?: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  startupProbe?: object;
}
export interface PodSpec { initContainers?: Container[]; containers: Container[]; restartPolicy?: string }
export interface Workload {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: PodSpec & {
    template?: { spec: PodSpec };
    jobTemplate?: { spec: { template: { spec: PodSpec } } };
  };
}

const WORKLOAD_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];

/** The workloads of a manifest file's text. */
export function workloadsOf(text: string): Workload[] {
  return parseAllDocuments(text).map((d) => d.toJS() as Workload).filter((o) => o && WORKLOAD_KINDS.includes(o.kind));
}

export function podSpecOf(workload: Workload): PodSpec {
  if (workload.kind === 'Pod') return workload.spec;
  return workload.spec.template?.spec ?? workload.spec.jobTemplate!.spec.template.spec;
}

export const containersOf = (spec: PodSpec) => [...(spec.initContainers ?? []), ...spec.containers];

/** Polls `check` every second until it returns a value other than undefined, or `timeoutMs` passes. */
export async function poll<T>(timeoutMs: number, check: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined || Date.now() > deadline) return value;
    await sleep(1000);
  }
}
