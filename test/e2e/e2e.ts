// Plays every manifest in dist/ in podman and checks what its containers really do (issues #4, #11).
//   npx tsx test/e2e/e2e.ts [--self-test] [NAME-PART...]
// --self-test plays the broken manifests in fixtures/ and passes only if the harness catches them.
// Upstream images run as local stand-ins (stand-ins.ts); pods with native sidecars are played in
// the kubelet's order (kubelet.ts), the others with `podman kube play`.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { setTimeout as sleep } from 'timers/promises';
import { parseAllDocuments, stringify } from 'yaml';
import { EXAMPLES, Expectation, FIXTURES, PageExpectation, Pattern } from './checks';
import { finishPod, hasNativeSidecars, Moment, nonRootProblems, orderFailures, Pod, PodSpec, startPod, timeline } from './kubelet';
import * as pm from './podman';
import { ensureStandIns, missingStandIn } from './stand-ins';

// Set by Ctrl-C (or SIGTERM): stop waiting, let the finally blocks tear down, then exit.
// The listener stays on: tsx relays a signal its child seems not to have seen a second time, and
// exits the child if it has no listener left.
let interrupted = '';
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (!interrupted) console.log(`\n${signal}: tearing down, then exiting`);
    interrupted ||= signal;
  });
}

interface Template { metadata?: { labels?: Record<string, string> }; spec: PodSpec }
interface K8sObject {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: { template?: Template; jobTemplate?: { spec: { template: Template } } };
}

/** Kinds podman plays as they are; workloads are played as their pod template, the rest dropped. */
const KEPT_KINDS = ['ConfigMap', 'PersistentVolumeClaim'];

/**
 * The test copy of one file, as podman 4.3 can play it: `kubePlayed` for `podman kube play`, and
 * the pods with native sidecars, which kubelet.ts plays. The shipped YAML stays right for Kubernetes.
 */
function rewrite(docs: K8sObject[]) {
  const kept: object[] = [];
  const pods: Pod[] = [];
  const dropped: string[] = [];
  const configMaps = new Map<string, Record<string, string>>();
  for (const doc of docs) {
    // podman knows Pod and Deployment only: a pod template covers Job, StatefulSet, CronJob... too.
    const template = doc.kind === 'Pod' ? (doc as unknown as Template) : doc.spec?.template ?? doc.spec?.jobTemplate?.spec.template;
    if (doc.kind === 'ConfigMap') configMaps.set(doc.metadata.name, doc.data ?? {});
    if (KEPT_KINDS.includes(doc.kind)) kept.push(doc);
    else if (!template) dropped.push(`${doc.kind}/${doc.metadata.name}`);
    else {
      const spec: PodSpec = structuredClone(template.spec);
      // No registry is reachable: use the local busybox and stand-in images.
      for (const c of allContainers({ spec } as Pod)) c.imagePullPolicy = 'Never';
      // podman 4.3 restarts init containers under Always (its default too), so the app never starts;
      // Never also keeps exited containers and their exit codes around for the checks. The kubelet
      // player reads the workload's own policy: a Job's pod must complete.
      if (!hasNativeSidecars({ spec } as Pod)) spec.restartPolicy = 'Never';
      pods.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: doc.metadata.name, labels: template.metadata?.labels }, spec });
    }
  }
  const kubeletPods = pods.filter(hasNativeSidecars);
  const kubePlayPods = pods.filter((p) => !kubeletPods.includes(p));
  return { kubePlayed: [...kept, ...kubePlayPods], kubePlayPods, kubeletPods, pods, dropped, configMaps };
}

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

const where = (pod: string, container: string) => `pod ${pod}, container ${container}`;
export const allContainers = (pod: Pod) => [...(pod.spec.initContainers ?? []), ...pod.spec.containers];

/** The pod holding `container`, or a failure naming the file's fix. */
function podOf(pods: Pod[], container: string): Pod | string {
  return pods.find((p) => allContainers(p).some((c) => c.name === container)) ??
    `checks.ts expects a container ${container}, but no pod in the file has one`;
}

/** Where an expected log or page is missing: the failure, and whether waiting could still help. */
interface Miss { failure: string; final: boolean }

async function missingLogLines(pods: Pod[], container: string, patterns: Pattern[], states: Map<string, pm.PsEntry>): Promise<Miss | undefined> {
  const pod = podOf(pods, container);
  if (typeof pod === 'string') return { failure: pod, final: true };
  const name = pm.containerName(pod.metadata.name, container);
  const missing = firstUnmatched(await pm.logs(name), patterns);
  if (missing < 0) return undefined;
  const after = missing > 0 ? ` after a line matching ${show(patterns[missing - 1])}` : '';
  // Waiting cannot help a container that has exited.
  return { failure: `${where(pod.metadata.name, container)}: no log line matching ${show(patterns[missing])}${after}`, final: states.get(name)?.Exited === true };
}

/** Fetches the page a container serves from inside its pod (as a scraper in the pod would) and matches its lines. */
async function missingPageLines(pods: Pod[], page: PageExpectation): Promise<Miss | undefined> {
  const pod = podOf(pods, page.container);
  if (typeof pod === 'string') return { failure: pod, final: true };
  const url = `http://127.0.0.1:${page.port}${page.path}`;
  const network = await pm.podNetwork(pod.metadata.name);
  const got = network ? await pm.httpGetInPod(network, url) : { code: 1, stdout: '', stderr: 'the pod has no network namespace' };
  const lines = got.stdout.split('\n');
  const missing = got.code === 0 ? firstUnmatched(lines, page.patterns) : 0;
  if (missing < 0) return undefined;
  const why = got.code === 0 ? `no line matching ${show(page.patterns[missing])} in its ${lines.length} lines` : `fetch failed: ${got.stderr.trim() || `exit code ${got.code}`}`;
  return { failure: `${where(pod.metadata.name, page.container)}: GET ${url} from inside the pod: ${why}`, final: false };
}

/** Log lines that match a `notInLogs` pattern, as failures. */
async function unwantedLogLines(pods: Pod[], expect: Expectation): Promise<string[]> {
  const failures: string[] = [];
  for (const [container, patterns] of Object.entries(expect.notInLogs ?? {})) {
    const pod = podOf(pods, container);
    if (typeof pod === 'string') return [pod];
    for (const line of await pm.logs(pm.containerName(pod.metadata.name, container))) {
      const unwanted = patterns.find((p) => matches(line, p));
      if (unwanted) failures.push(`${where(pod.metadata.name, container)}: log line matching ${show(unwanted)}, which must not appear: ${line}`);
    }
  }
  return failures;
}

/** Polls until every expected log line and page line is there; returns the failures (none = pass). */
async function waitForExpectations(pods: Pod[], expect: Expectation, deadline: number): Promise<string[]> {
  for (;;) {
    if (interrupted) return [`interrupted by ${interrupted}`];
    const states = new Map<string, pm.PsEntry>();
    for (const pod of pods) for (const [name, s] of await pm.ps(pod.metadata.name)) states.set(name, s);
    const crashed = pods.flatMap((pod) => allContainers(pod).flatMap((c) => {
      const s = states.get(pm.containerName(pod.metadata.name, c.name));
      return s?.Exited && s.ExitCode !== 0 ? [`${where(pod.metadata.name, c.name)}: exited with exit code ${s.ExitCode}`] : [];
    }));
    if (crashed.length) return crashed;

    const misses: Miss[] = [];
    for (const [container, patterns] of Object.entries(expect.logs)) {
      const miss = await missingLogLines(pods, container, patterns, states);
      if (miss) misses.push(miss);
    }
    for (const page of expect.pages ?? []) {
      const miss = await missingPageLines(pods, page);
      if (miss) misses.push(miss);
    }
    const failures = misses.map((m) => m.failure);
    if (!misses.length || misses.every((m) => m.final)) return failures;
    if (Date.now() > deadline) return failures.map((f) => `${f} within ${timeoutSeconds(expect)} s`);
    await sleep(1000);
  }
}

/**
 * Init containers must each exit 0 before anything after them starts. podman removes them once
 * they finish, so their events are the only record left.
 */
function checkInitOrder(pods: Pod[], events: pm.Event[]): string[] {
  const failures: string[] = [];
  for (const pod of pods) {
    const event = (c: { name: string }, status: string) =>
      events.find((e) => e.Name === pm.containerName(pod.metadata.name, c.name) && e.Status === status);
    const order = allContainers(pod);
    for (const [i, init] of (pod.spec.initContainers ?? []).entries()) {
      const died = event(init, 'died');
      if (!died || died.ContainerExitCode) {
        const what = died ? `exit code ${died.ContainerExitCode}` : 'never finished';
        failures.push(`${where(pod.metadata.name, init.name)}: init container ${what}`);
        continue;
      }
      for (const later of order.slice(i + 1)) {
        const start = event(later, 'start');
        if (start && Date.parse(start.Time) < Date.parse(died.Time)) {
          failures.push(`${where(pod.metadata.name, later.name)}: started at ${start.Time}, before init container ${init.name} finished at ${died.Time}`);
        }
      }
    }
  }
  return failures;
}

/** What `kubectl describe pod` and `kubectl logs -c` would show, for every container of the pods. */
async function describe(pods: Pod[], events: pm.Event[]): Promise<string[]> {
  const out: string[] = [];
  for (const pod of pods) {
    for (const c of allContainers(pod)) {
      const name = pm.containerName(pod.metadata.name, c.name);
      const s = await pm.inspect(name);
      const died = events.filter((e) => e.Name === name && e.Status === 'died').pop();
      const state = !s ? (died ? `removed by podman after it exited, exit code ${died.ContainerExitCode ?? 0} (from podman events)` : 'never created')
        : s.Status === 'created' ? 'created, never started'
        : s.Status === 'exited' ? `exited, exit code ${s.ExitCode}, started ${s.StartedAt}, finished ${s.FinishedAt}`
        : `${s.Status} since ${s.StartedAt}`;
      const extra = s?.OOMKilled ? ', OOM killed' : s?.Error ? `, error: ${s.Error}` : '';
      out.push(`${where(pod.metadata.name, c.name)} [${name}]: ${state}${extra}`);
      if (s) out.push(...(await pm.logs(name, 20)).map((l) => `    | ${l}`));
    }
  }
  return out;
}

const timeoutSeconds = (expect: Expectation) => expect.timeoutSeconds ?? 30;

/** podman's error, without the syslog complaint it prints on this machine before every error. */
const podmanError = (stderr: string) =>
  stderr.split('\n').filter((l) => l.trim() && !l.startsWith('failed to connect to syslog')).join(' / ');

/** The file's documents, and its pods as the test plays them. */
const readManifest = (file: string) => rewrite(parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as K8sObject));
const imagesOf = (pods: Pod[]) => [...new Set(pods.flatMap((p) => allContainers(p).map((c) => c.image)))];

/**
 * Plays one file and returns its failures (none = pass) followed by a description of its pods.
 * Pods with native sidecars are started container by container (kubelet.ts), the others by `kube play`.
 */
async function play(file: string, expect: Expectation, workDir: string): Promise<{ failures: string[]; notes: string[] }> {
  const { kubePlayed, kubePlayPods, kubeletPods, pods, dropped, configMaps } = readManifest(file);
  const notes = dropped.length ? [`not played (podman does not know them): ${dropped.join(', ')}`] : [];
  const noStandIn = imagesOf(pods).map((image) => missingStandIn(image, file)).filter((m): m is string => m !== undefined);
  if (noStandIn.length) return { failures: noStandIn, notes };
  // podman runs what a kubelet would refuse to start: check that first.
  const refused = (await Promise.all(pods.map(nonRootProblems))).flat();
  if (refused.length) return { failures: refused, notes };
  const copy = join(workDir, file.split('/').pop()!);
  writeFileSync(copy, kubePlayed.map((o) => stringify(o)).join('---\n'));
  const names = pods.map((p) => p.metadata.name);
  const isInterrupted = () => interrupted !== '';
  try {
    await pm.teardown(copy, names); // leftovers of a killed run
    const since = new Date();
    const deadline = since.getTime() + timeoutSeconds(expect) * 1000;
    const failures: string[] = [];
    if (kubePlayPods.length) {
      const played = await pm.play(copy, deadline - Date.now());
      if (played.code) failures.push(`podman kube play failed: ${podmanError(played.stderr)}`);
    }
    const moments = new Map<Pod, Moment[]>();
    for (const pod of kubeletPods) {
      if (failures.length) break;
      const started = await startPod(pod, configMaps, workDir, isInterrupted);
      moments.set(pod, started.moments);
      failures.push(...started.failures);
    }
    if (interrupted) failures.push(`interrupted by ${interrupted}`);
    if (!failures.length) failures.push(...(await waitForExpectations(pods, expect, deadline)));
    if (!failures.length) failures.push(...(await unwantedLogLines(pods, expect)));
    for (const [pod, recorded] of moments) {
      if (!failures.length) failures.push(...(await finishPod(pod, recorded, deadline, isInterrupted)));
      if (!failures.length) failures.push(...orderFailures(pod, recorded));
      notes.push(`kubelet order, pod ${pod.metadata.name} (times from its first start):`, ...timeline(recorded).map((l) => `  ${l}`));
    }
    const events = await pm.events(since);
    if (!failures.length) failures.push(...checkInitOrder(kubePlayPods, events));
    if (failures.length) notes.push(...(await describe(pods, events)));
    return { failures, notes };
  } finally {
    await pm.teardown(copy, names);
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const selfTest = args.includes('--self-test');
  const only = args.filter((a) => !a.startsWith('--'));
  const dir = selfTest ? join(__dirname, 'fixtures') : join(__dirname, '..', '..', 'dist');
  const table: Record<string, Expectation & { mustReport?: Pattern[] }> = selfTest ? FIXTURES : EXAMPLES;
  const wanted = (f: string) => !only.length || only.some((o) => f.includes(o));
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && wanted(f)).sort();
  // Registered but absent: a renamed example or a failed synth would otherwise pass unnoticed.
  const absent = Object.keys(table).filter((f) => wanted(f) && !files.includes(f));

  let passed = 0;
  let failed = 0;
  const report = (ok: boolean, what: string, lines: string[]) => {
    if (ok) passed++;
    else failed++;
    console.log(`${ok ? 'PASS' : 'FAIL'} ${what}`);
    for (const l of lines) console.log(`  ${l}`);
  };
  for (const f of absent) report(false, f, [`registered in test/e2e/checks.ts but not in ${dir}`]);

  // Build (or find cached) the stand-ins of the upstream images the files name, once for all files.
  const runStart = Date.now();
  let standInsBuilt = true;
  try {
    await ensureStandIns(files.flatMap((f) => imagesOf(readManifest(join(dir, f)).pods)));
  } catch (error) {
    standInsBuilt = false; // no file can run without them: report it once, play none
    report(false, 'stand-in images', (error as Error).message.split('\n'));
  }
  const standInSeconds = ((Date.now() - runStart) / 1000).toFixed(1);

  const workDir = mkdtempSync(join(tmpdir(), 'e2e-'));
  try {
    for (const f of standInsBuilt ? files : []) {
      if (interrupted) break;
      const expect = table[f];
      if (!expect) {
        report(false, f, ['no expectations registered in test/e2e/checks.ts']);
        continue;
      }
      const start = Date.now();
      const { failures, notes } = await play(join(dir, f), expect, workDir);
      const what = `${f} (${((Date.now() - start) / 1000).toFixed(1)} s)`;
      if (!expect.mustReport) {
        report(!failures.length, what, [...failures, ...notes]);
        continue;
      }
      // Self-test: the harness must fail the fixture, and say why in the terms mustReport lists.
      const text = [...failures, ...notes];
      const unsaid = expect.mustReport.filter((p) => !text.some((l) => matches(l, p)));
      const verdict = !failures.length ? ['the harness passed a broken manifest']
        : unsaid.map((p) => `the harness report does not mention ${show(p)}`);
      report(!verdict.length, `self-test ${what}: harness ${failures.length ? 'reported a failure' : 'passed it'}`,
        [...verdict, ...text.map((l) => `> ${l}`)]);
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  if (interrupted) console.log(`interrupted by ${interrupted}`);
  console.log(`total ${((Date.now() - runStart) / 1000).toFixed(1)} s (stand-in images ${standInSeconds} s)`);
  console.log(`${passed} passed, ${failed} failed`);
  return interrupted ? 130 : failed ? 1 : 0;
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(1);
});
