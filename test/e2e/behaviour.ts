// What each example really does, read the way a user reads it: `kubectl logs KIND/NAME -c C` and a
// page fetched from inside the pod with `kubectl exec` (the expectations are in checks.ts).
import { Expectation, PageExpectation, Pattern } from './checks';
import { containersOf, podSpecOf, poll, Transcript, Workload } from './kube';

const show = (p: Pattern) => (typeof p === 'string' ? JSON.stringify(p) : String(p));
const matches = (line: string, p: Pattern) => (typeof p === 'string' ? line.includes(p) : p.test(line));

/** Index of the first pattern with no matching line after the previous pattern's line, or -1. */
function firstUnmatched(lines: string[], patterns: Pattern[]): number {
  let from = 0;
  for (const [i, p] of patterns.entries()) {
    const at = lines.findIndex((line, n) => n >= from && matches(line, p));
    if (at < 0) return i;
    from = at + 1;
  }
  return -1;
}

/** `deployment/web`, as kubectl names a workload; a CronJob's pods belong to the Job made from it. */
export const resourceOf = (workload: Workload) =>
  workload.kind === 'CronJob' ? `job/${onceJob(workload)}` : `${workload.kind.toLowerCase()}/${workload.metadata.name}`;
export const onceJob = (cronJob: Workload) => `${cronJob.metadata.name}-once`;

/**
 * GET from inside the pod, as a scraper beside the app would: busybox wget where the container has it,
 * else bash's /dev/tcp (the Debian-based stand-ins have bash, not wget).
 */
function fetchScript(page: PageExpectation): string[] {
  const url = `http://127.0.0.1:${page.port}${page.path}`;
  const raw = `exec 3<>/dev/tcp/127.0.0.1/${page.port}; printf 'GET ${page.path} HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3; cat <&3`;
  return ['sh', '-c', `if command -v wget >/dev/null; then wget -q -O - ${url}; else bash -c "${raw}"; fi`];
}

async function logMiss(t: Transcript, workload: Workload, container: string, patterns: Pattern[]): Promise<string | undefined> {
  const r = await t.kubectl(['logs', resourceOf(workload), '-c', container]);
  const lines = r.code === 0 ? r.stdout.split('\n') : [];
  const missing = firstUnmatched(lines, patterns);
  if (missing < 0) return undefined;
  const after = missing > 0 ? ` after a line matching ${show(patterns[missing - 1])}` : '';
  return `${resourceOf(workload)} container ${container}: no log line matching ${show(patterns[missing])}${after}`;
}

async function pageMiss(t: Transcript, workload: Workload, page: PageExpectation): Promise<string | undefined> {
  const r = await t.kubectl(['exec', resourceOf(workload), '-c', page.container, '--', ...fetchScript(page)]);
  const lines = r.stdout.split('\n').map((l) => l.replace(/\r$/, ''));
  const missing = r.code === 0 ? firstUnmatched(lines, page.patterns) : 0;
  if (missing < 0) return undefined;
  const why = r.code === 0 ? `no line matching ${show(page.patterns[missing])}` : `fetch failed: ${r.stderr.trim() || `exit code ${r.code}`}`;
  return `${resourceOf(workload)} container ${page.container}: GET http://127.0.0.1:${page.port}${page.path} from inside the pod: ${why}`;
}

/** Waits until every expected log and page line is there; returns what is still missing (none = pass). */
export async function behaviourFailures(t: Transcript, workload: Workload, expect: Expectation): Promise<string[]> {
  const names = containersOf(podSpecOf(workload)).map((c) => c.name);
  const unknown = [...Object.keys(expect.logs), ...Object.keys(expect.notInLogs ?? {}), ...(expect.pages ?? []).map((p) => p.container)]
    .filter((c) => !names.includes(c));
  if (unknown.length) return [`checks.ts names containers ${unknown.join(', ')}, which ${resourceOf(workload)} does not have (${names.join(', ')})`];
  let misses: string[] = [];
  await poll((expect.timeoutSeconds ?? 60) * 1000, async () => {
    // Pages first: the logs read next show those requests (a log shipper following an access log).
    const pageMisses = await Promise.all((expect.pages ?? []).map((page) => pageMiss(t, workload, page)));
    const logMisses = await Promise.all(Object.entries(expect.logs).map(([container, patterns]) => logMiss(t, workload, container, patterns)));
    const found = [...logMisses, ...pageMisses];
    misses = found.filter((m): m is string => m !== undefined);
    return misses.length ? undefined : true;
  });
  if (misses.length) return misses;
  const unwanted: string[] = [];
  for (const [container, patterns] of Object.entries(expect.notInLogs ?? {})) {
    const r = await t.kubectl(['logs', resourceOf(workload), '-c', container]);
    for (const line of r.stdout.split('\n')) {
      const p = patterns.find((pattern) => matches(line, pattern));
      if (p) unwanted.push(`${resourceOf(workload)} container ${container}: log line matching ${show(p)}, which must not appear: ${line}`);
    }
  }
  return unwanted;
}
