// npm run test:e2e [-- --keep]: dist/ on a real single-node Kubernetes (test/cluster): cluster up,
// `kubectl apply -f dist/`, the checks below, then cluster down, always (--keep leaves it up).
// A failed check prints the kubectl transcript of what it saw.
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { stringify } from 'yaml';
import { down, up } from '../cluster/cluster';
import { CONTAINERD_VERSION, KUBERNETES_VERSION, NODE_NAME, ROOT } from '../cluster/layout';
import { behaviourFailures, onceJob, resourceOf } from './behaviour';
import { EXAMPLES } from './checks';
import { consumerFailures } from './consumer';
import { restartRuleFailures } from './restarts';
import { demoFailures } from './demo';
import { containersOf, podSpecOf, poll, Transcript, Workload, workloadsOf } from './kube';
import { hasNativeSidecars, orderOf, PodJson } from './order';
import { HEADROOM, ResourceSampler, tightLimits } from './resources';
import { STUCK_NAMESPACE, STUCK_VARIANTS, stuckFailures, variantPod } from './stuck';

const DIST = join(ROOT, 'dist');

let passed = 0;
let failed = 0;

/** Runs one check with its own transcript; prints PASS or FAIL, its time, its notes, and on failure what kubectl showed. */
async function check(name: string, body: (t: Transcript, notes: string[]) => Promise<string[]>): Promise<boolean> {
  const t = new Transcript();
  const notes: string[] = [];
  const started = Date.now();
  let failures: string[];
  try {
    failures = await body(t, notes);
  } catch (error) {
    failures = [`threw: ${(error as Error).stack ?? error}`];
  }
  const ok = failures.length === 0;
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  for (const line of [...failures, ...notes]) console.log(`  ${line}`);
  if (!ok) console.log(['  kubectl transcript:', ...t.text().map((l) => `  | ${l}`)].join('\n'));
  return ok;
}

/** A privileged pod must be refused: proves PodSecurity `restricted` is enforced. */
const PRIVILEGED_POD = {
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'e2e-privileged' },
  spec: { containers: [{ name: 'c', image: 'busybox:1.36', securityContext: { privileged: true } }] },
};

/** Waits for the workload's condition: Deployments Available, StatefulSets and DaemonSets rolled out, Jobs Complete. */
async function conditionFailures(t: Transcript, workload: Workload): Promise<string[]> {
  const resource = resourceOf(workload);
  const timeout = ['--timeout=240s'];
  switch (workload.kind) {
    case 'Deployment': {
      const r = await t.kubectl(['wait', '--for=condition=Available', ...timeout, resource]);
      return r.code === 0 ? [] : [`${resource} not Available`];
    }
    case 'StatefulSet':
    case 'DaemonSet': {
      const r = await t.kubectl(['rollout', 'status', ...timeout, resource]);
      return r.code === 0 ? [] : [`${resource} not rolled out`];
    }
    case 'CronJob':
    case 'Job': {
      if (workload.kind === 'CronJob') {
        const created = await t.kubectl(['create', 'job', `--from=cronjob/${workload.metadata.name}`, onceJob(workload)]);
        if (created.code !== 0) return [`kubectl create job --from=cronjob/${workload.metadata.name} failed`];
      }
      // Complete or Failed, whichever comes first: a failed Job need not wait for the timeout.
      const condition = await poll(240_000, async () => {
        const r = await t.kubectl(['get', resource, '-o', 'jsonpath={range .status.conditions[?(@.status=="True")]}{.type} {end}']);
        return ['Complete', 'Failed'].find((c) => r.stdout.split(' ').includes(c));
      });
      return condition === 'Complete' ? [] : [`${resource}: ${condition ?? 'neither Complete nor Failed within 240 s'}`];
    }
    default:
      return [];
  }
}

/**
 * Pods belonging to `workload`, by the names their controllers give them: `<name>-<template hash>-<5>`
 * for a Deployment, `<name>-<ordinal>` for a StatefulSet, `<name>-<5>` for a DaemonSet or Job (a
 * CronJob's is the Job made from it). A prefix alone would give deployment/web the pods of web-exporter.
 */
function podsOf(workload: Workload, pods: PodJson[]): PodJson[] {
  const base = resourceOf(workload).split('/')[1].replace(/\./g, '\\.');
  const suffix = ({ Pod: '', Deployment: '-[a-z0-9]+-[a-z0-9]{5}', StatefulSet: '-\\d+' } as Record<string, string>)[workload.kind] ?? '-[a-z0-9]{5}';
  const name = new RegExp(`^${base}${suffix}$`);
  return pods.filter((p) => name.test(p.metadata.name));
}

async function allPods(t: Transcript, namespace = 'default'): Promise<PodJson[]> {
  const r = await t.kubectl(['get', 'pods', '-n', namespace, '-o', 'json']);
  return r.code === 0 ? (JSON.parse(r.stdout).items as PodJson[]) : [];
}

async function main(): Promise<number> {
  const keep = process.argv.includes('--keep');
  const files = readdirSync(DIST).filter((f) => f.endsWith('.yaml')).sort();
  const workloads = new Map(files.map((f) => [f, workloadsOf(readFileSync(join(DIST, f), 'utf8'))[0]]));
  const started = Date.now();
  const sampler = new ResourceSampler();
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    console.log('interrupted: tearing the cluster down');
    void down().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    const upStarted = Date.now();
    await up();
    console.log(`cluster ready in ${((Date.now() - upStarted) / 1000).toFixed(1)} s`);
    sampler.start();

    const runtime = `containerd://${CONTAINERD_VERSION.slice(1)}`;
    await check(`the node runs the kubelet ${KUBERNETES_VERSION} on ${runtime} (test/cluster builds both)`, async (t, notes) => {
      const r = await t.kubectl(['get', 'node', NODE_NAME, '-o', 'jsonpath={.status.nodeInfo.kubeletVersion} {.status.nodeInfo.containerRuntimeVersion}']);
      const [kubelet, containerd] = r.stdout.trim().split(' ');
      notes.push(`kubeletVersion ${kubelet}, containerRuntimeVersion ${containerd}`);
      return [
        ...(kubelet === KUBERNETES_VERSION ? [] : [`kubeletVersion is ${kubelet || '(none)'}, not ${KUBERNETES_VERSION}`]),
        ...(containerd === runtime ? [] : [`containerRuntimeVersion is ${containerd || '(none)'}, not ${runtime}`]),
      ];
    });
    await check('PodSecurity restricted is enforced: a privileged pod is refused', async (t) => {
      const r = await t.kubectl(['apply', '-f', '-'], stringify(PRIVILEGED_POD));
      return r.code !== 0 && /violates PodSecurity "restricted/.test(r.stderr) ? [] : ['the privileged pod was not refused by PodSecurity'];
    });
    const applied = await check('kubectl apply -f dist/ succeeds with no warning', async (t) => {
      const r = await t.kubectl(['apply', '-f', DIST]);
      const warnings = r.stderr.split('\n').filter((l) => /warning/i.test(l));
      return [...(r.code === 0 ? [] : [`exit code ${r.code}`]), ...warnings.map((w) => `printed: ${w}`)];
    });
    if (!applied) return 1;

    for (const [file, workload] of workloads) {
      if (interrupted) break;
      const expect = EXAMPLES[file];
      await check(`${file}: ${resourceOf(workload)}`, async (t) => {
        if (workload.kind === 'Pod') return demoFailures(t, workload);
        if (!expect) return ['no expectations registered in test/e2e/checks.ts'];
        const failures = await conditionFailures(t, workload);
        return failures.length ? failures : behaviourFailures(t, workload, expect);
      });
    }
    const unknown = Object.keys(EXAMPLES).filter((f) => !files.includes(f));
    if (unknown.length) await check('every expectation has its dist/ file', async () => unknown.map((f) => `${f} is in checks.ts but not in dist/`));

    await check('native sidecars run in the declared order (from the API\'s pod status)', async (t, notes) => {
      const pods = await allPods(t);
      const failures: string[] = [];
      for (const workload of workloads.values()) {
        if (!hasNativeSidecars(podSpecOf(workload))) continue;
        const mine = podsOf(workload, pods);
        if (!mine.length) failures.push(`${resourceOf(workload)}: no pod found`);
        for (const pod of mine) {
          const { failures: f, timeline } = orderOf(pod);
          failures.push(...f);
          notes.push(`${resourceOf(workload)}, pod ${pod.metadata.name} (${pod.status.phase}):`, ...timeline.map((l) => `  ${l}`));
        }
      }
      return failures;
    });

    await check('restart rules: an exit code in the rule restarts that container alone; a helper\'s exit restarts the whole pod', restartRuleFailures);

    await sampler.stop();
    await check(`resources: every example container's observed peak stays ${HEADROOM * 100} % below its limits`, async (t, notes) => {
      const pods = await allPods(t);
      const failures: string[] = [];
      for (const workload of workloads.values()) {
        for (const pod of podsOf(workload, pods)) {
          for (const c of containersOf(podSpecOf(workload))) {
            const peak = sampler.peaks.get(`${pod.metadata.name}/${c.name}`);
            if (!peak) continue;
            failures.push(...tightLimits(workload.metadata.name, c, peak));
            notes.push(`${`${workload.metadata.name}/${c.name}`.padEnd(48)} peak ${peak.cpuMillis.toFixed(1).padStart(6)}m cpu ${peak.memoryMebibytes.toFixed(1).padStart(6)}Mi memory (${peak.samples} samples), limits ${c.resources?.limits?.cpu ?? '-'} / ${c.resources?.limits?.memory ?? '-'}`);
          }
        }
      }
      return failures;
    });

    // The examples are done: free the node (2 cores) for the broken variants, as a user cleans up
    // (the demo pod is gone already: the seed's commands end with its delete).
    await check('kubectl delete -f dist/ removes every example', async (t) => {
      const r = await t.kubectl(['delete', '-f', DIST, '--ignore-not-found', '--wait=true', '--timeout=120s']);
      return r.code === 0 ? [] : [`exit code ${r.code}`];
    });
    await check('a cdk8s-plus-33 app with all four patterns (scripts/consumer-test.sh) applies with no warning and runs', consumerFailures);
    await check('the runbooks\' "When it is stuck" matches what kubectl shows', async (t) => {
      await t.kubectl(['create', 'namespace', STUCK_NAMESPACE]);
      const applied = await t.kubectl(['apply', '-f', '-'], STUCK_VARIANTS.map((v) => stringify(variantPod(v, DIST))).join('---\n'));
      if (applied.code !== 0) return ['the broken variants were not applied'];
      const failures: string[] = [];
      for (const variant of STUCK_VARIANTS) failures.push(...(await stuckFailures(t, variant, DIST)).map((f) => `${variant.name}: ${f}`));
      return failures;
    });

  } finally {
    await sampler.stop();
    if (!keep && !interrupted) await down();
  }
  console.log(`total ${((Date.now() - started) / 1000).toFixed(1)} s: ${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (error: Error) => {
  console.error(error.stack ?? error);
  process.exit(1);
});
