// Every example container's peak memory and cpu, sampled from the kubelet's summary API while the
// e2e runs (`kubectl get --raw /api/v1/nodes/NODE/proxy/stats/summary`), compared with its limits.
import * as os from 'os';
import { NODE_NAME } from '../cluster/layout';
import { Container, Transcript } from './kube';

interface Summary {
  pods?: {
    podRef: { name: string; namespace: string };
    containers?: { name: string; cpu?: { usageNanoCores?: number }; memory?: { workingSetBytes?: number } }[];
  }[];
}

export interface Peak { cpuMillis: number; memoryMebibytes: number; samples: number }

/** A limit within this share of the observed peak is too tight: the examples must have headroom. */
export const HEADROOM = 0.2;

/**
 * More cpu than the node has: a reading no container can reach. The kubelet reports one now and then
 * when a container's cumulative cpu counter goes backwards (a restarted or replaced container) and the
 * unsigned difference wraps (seen here once: 7.1e18 nanocores for a native sidecar of a Job).
 */
const IMPOSSIBLE_NANO_CORES = os.cpus().length * 1e9;

/** Samples every few seconds until stopped; peaks are keyed `pod/container`. */
export class ResourceSampler {
  readonly peaks = new Map<string, Peak>();
  private stopped = false;
  private loop: Promise<void> | undefined;

  start(intervalMs = 2000): void {
    const t = new Transcript(); // not printed: sampling is not a check
    this.loop = (async () => {
      while (!this.stopped) {
        const r = await t.kubectl(['get', '--raw', `/api/v1/nodes/${NODE_NAME}/proxy/stats/summary`]);
        if (r.code === 0) this.add(JSON.parse(r.stdout) as Summary);
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private add(summary: Summary): void {
    for (const pod of summary.pods ?? []) {
      for (const c of pod.containers ?? []) {
        const key = `${pod.podRef.name}/${c.name}`;
        const peak = this.peaks.get(key) ?? { cpuMillis: 0, memoryMebibytes: 0, samples: 0 };
        const nanoCores = c.cpu?.usageNanoCores ?? 0;
        if (nanoCores <= IMPOSSIBLE_NANO_CORES) peak.cpuMillis = Math.max(peak.cpuMillis, nanoCores / 1e6);
        peak.memoryMebibytes = Math.max(peak.memoryMebibytes, (c.memory?.workingSetBytes ?? 0) / 2 ** 20);
        peak.samples++;
        this.peaks.set(key, peak);
      }
    }
  }
}

const UNITS: Record<string, number> = { Ki: 2 ** -10, Mi: 1, Gi: 2 ** 10, k: 1e3 / 2 ** 20, M: 1e6 / 2 ** 20, G: 1e9 / 2 ** 20 };
/** `256Mi` -> 256, `1Gi` -> 1024 (MiB). */
const mebibytes = (q: string) => {
  const [, n, unit] = /^([\d.]+)([A-Za-z]*)$/.exec(q) ?? [];
  return unit ? Number(n) * (UNITS[unit] ?? NaN) : Number(n) / 2 ** 20;
};
/** `250m` -> 250, `1` -> 1000 (millicores). */
const millicores = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);

/** Failures where a peak comes within HEADROOM of the container's limit. */
export function tightLimits(workloadName: string, container: Container, peak: Peak): string[] {
  const limits = container.resources?.limits ?? {};
  const failures: string[] = [];
  const check = (what: string, used: number, limit: number, unit: string) => {
    if (used >= limit * (1 - HEADROOM)) {
      failures.push(`${workloadName} container ${container.name}: peak ${what} ${used.toFixed(1)}${unit} is within ${HEADROOM * 100} % of its limit ${limit}${unit}`);
    }
  };
  if (limits.memory) check('memory', peak.memoryMebibytes, mebibytes(limits.memory), 'Mi');
  if (limits.cpu) check('cpu', peak.cpuMillis, millicores(limits.cpu), 'm');
  return failures;
}
