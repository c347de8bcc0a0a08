import { createHash } from 'crypto';
import { ApiObject, Chart, Cron, Duration, JsonPatch, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IntOrString, KubePodDisruptionBudget } from '../imports/k8s';
import { Adapter, AdapterSource, Ambassador, DefaultImage, InitSteps, KubernetesTarget, KubernetesVersion, RestrictedSecurity, Sidecar } from '../lib';
import { compareFindings, describeFindings, Finding, lintSets, Manifest, missingLinters } from './support/linters';

// Issue #33, "Patterns add no finding": a pod that kube-score and checkov both pass clean gets each
// pattern, then all four; the linters must report exactly what they report on the pod alone,
// finding by finding (test/support/linters.ts says what a finding is and how findings compare;
// docs/linters.md how to run the linters here). The pods are what a careful user writes, with
// nothing hidden: no skip annotation anywhere, and only public API, cdk8s-plus-27 and JSON patches
// on the user's own objects. What each needs to be clean is said where it is set.

const missing = missingLinters();
if (missing.length > 0) {
  process.stderr.write(`test/linters.test.ts: skipped, ${missing.join(' and ')} not installed. Run scripts/install-linters.sh (npm test's pretest does).\n`);
}
const describeWithLinters = missing.length === 0 ? describe : describe.skip;

/** A stand-in digest of the user's own image: the linters read only that it is pinned (`@sha256:`). */
const digestOf = (what: string) => `sha256:${createHash('sha256').update(what).digest('hex')}`;

/** The user's app image, by tag and digest: a digest for checkov's CKV_K8S_43, a tag that is not `latest` for kube-score's container-image-tag. */
const APP_IMAGE = `registry.example.com/shop/web:1.4.2@${digestOf('shop/web:1.4.2')}`;

/**
 * busybox 1.36 from the user's own mirror, pinned by digest: the default `busybox:1.36` is a tag,
 * which checkov's CKV_K8S_43 reports. One setting, DefaultImage.set on the chart, pins every image
 * the patterns choose; the patterns run their own defaults on it.
 */
const PINNED_BUSYBOX = `registry.example.com/mirror/busybox:1.36@${digestOf('busybox:1.36')}`;

/** A uid and gid above 10000: kube-score's container-security-context-user-group-id and checkov's CKV_K8S_40 ask for one. */
const APP_ID = 10001;

/** The user's app container, as clean as both linters want it. */
function appContainer(kind: Kind): kplus.ContainerProps {
  const server = kind === 'Deployment' || kind === 'StatefulSet';
  return {
    name: 'web',
    image: APP_IMAGE,
    // cdk8s-plus-27 renders imagePullPolicy Always unless told otherwise (kube-score's
    // container-image-pull-policy, checkov's CKV_K8S_15).
    portNumber: 8080,
    // cpu and memory (kube-score's container-resources, checkov's CKV_K8S_10 to 13) and ephemeral
    // storage (kube-score's container-ephemeral-storage-request-and-limit); cdk8s-plus-27 takes
    // the latter in whole gibibytes only.
    resources: {
      cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },
      memory: { request: Size.mebibytes(64), limit: Size.mebibytes(128) },
      ephemeralStorage: { request: Size.gibibytes(1), limit: Size.gibibytes(1) },
    },
    // Non-root, read-only root filesystem, no privilege escalation, every capability dropped
    // (kube-score's container-security-context-*, checkov's CKV_K8S_20, 22, 23, 28, 37, 40).
    securityContext: RestrictedSecurity.container({ user: APP_ID, group: APP_ID }),
    // A server gets readiness and liveness probes (checkov's CKV_K8S_8 and 9 on all but Jobs and
    // CronJobs; kube-score's pod-probes on pods a Service targets, as the StatefulSet's headless one).
    ...(server ? { readiness: kplus.Probe.fromHttpGet('/ready', { port: 8080 }), liveness: kplus.Probe.fromHttpGet('/healthz', { port: 8080 }) } : {}),
  };
}

type Kind = 'Deployment' | 'StatefulSet' | 'Job' | 'CronJob';

/**
 * A chart `shop` in namespace `shop` (checkov's CKV_K8S_21: not the default namespace) with one
 * workload `web` of `kind` that both linters pass clean, and a NetworkPolicy selecting its pods
 * (kube-score's pod-networkpolicy, checkov's CKV2_K8S_6). The Job and the CronJob target 1.29, so
 * that their helpers are native sidecars (a classic one would keep a Job from completing).
 */
function cleanPod(kind: Kind): { chart: Chart; workload: kplus.AbstractPod } {
  const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
  DefaultImage.set(chart, PINNED_BUSYBOX);
  const podProps = {
    metadata: { name: 'web' },
    // cdk8s-plus-27 renders automountServiceAccountToken false (checkov's CKV_K8S_38).
    securityContext: { ...RestrictedSecurity.POD, user: APP_ID, group: APP_ID, fsGroup: APP_ID },
    containers: [appContainer(kind)],
  };
  let workload: kplus.AbstractPod;
  let podSpecPath = '/spec/template/spec';
  switch (kind) {
    case 'Deployment': {
      const deployment = new kplus.Deployment(chart, 'Web', { ...podProps, replicas: 2 });
      // With two replicas kube-score asks for a host anti-affinity (deployment-has-host-podantiaffinity)
      // and a PodDisruptionBudget (deployment-has-poddisruptionbudget).
      deployment.scheduling.spread({ topology: kplus.Topology.HOSTNAME, weight: 100 });
      new KubePodDisruptionBudget(chart, 'Budget', {
        metadata: { name: 'web' },
        spec: { maxUnavailable: IntOrString.fromNumber(1), selector: { matchLabels: deployment.matchLabels } },
      });
      workload = deployment;
      break;
    }
    case 'StatefulSet':
      // cdk8s-plus-27 creates its headless Service.
      workload = new kplus.StatefulSet(chart, 'Web', podProps);
      break;
    case 'Job':
      KubernetesTarget.set(chart, KubernetesVersion.V1_29);
      workload = new kplus.Job(chart, 'Web', podProps);
      break;
    case 'CronJob':
      KubernetesTarget.set(chart, KubernetesVersion.V1_29);
      // kube-score's cronjob-has-deadline asks for startingDeadlineSeconds.
      workload = new kplus.CronJob(chart, 'Web', { ...podProps, schedule: Cron.daily(), startingDeadline: Duration.minutes(10) });
      podSpecPath = '/spec/jobTemplate/spec/template/spec';
      break;
  }
  // The RuntimeDefault seccomp profile (checkov's CKV_K8S_31), which cdk8s-plus-27 has no prop for.
  // The patterns set it on a pod that has none, so the pod alone must have it for a fair baseline.
  ApiObject.of(workload).addJsonPatch(JsonPatch.add(`${podSpecPath}/securityContext/seccompProfile`, { type: 'RuntimeDefault' }));
  new kplus.NetworkPolicy(chart, 'Policy', {
    metadata: { name: 'web' },
    selector: workload,
    ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
  });
  return { chart, workload };
}

const LOG_FILE = '/var/log/app/app.log';
const DB = [{ name: 'db', host: 'db.shop.svc.cluster.local', port: 5432 }];

/**
 * Each pattern as a user attaches it, on its defaults. The Sidecar runs the user's own command, so
 * only the user can say when it is alive and ready: they give its probes (checkov asks for both on
 * every app container, which a classic sidecar is; a native one, an init container, it does not check).
 */
const PATTERNS: Record<string, (chart: Chart, workload: kplus.AbstractPod) => void> = {
  InitSteps: (chart, workload) => new InitSteps(chart, 'Setup', { workload, steps: [{ name: 'migrate', command: ['sh', '-c', 'echo migrated > "$HANDOFF_DIR/done"'] }] }),
  Sidecar: (chart, workload) =>
    new Sidecar(chart, 'LogShipper', {
      workload,
      sharedPath: '/var/log/app',
      sharedReadOnly: true,
      command: ['sh', '-c', `tail -F ${LOG_FILE}`],
      readiness: kplus.Probe.fromCommand(['test', '-d', '/var/log/app']),
      liveness: kplus.Probe.fromCommand(['pidof', 'tail']),
    }),
  Ambassador: (chart, workload) => new Ambassador(chart, 'Db', { workload, upstreams: DB }),
  Adapter: (chart, workload) => new Adapter(chart, 'LogFormat', { workload, source: AdapterSource.logFile(LOG_FILE) }),
};

const KINDS: Kind[] = ['Deployment', 'StatefulSet', 'Job', 'CronJob'];
const ALL_FOUR = 'all four patterns';
const VARIANTS: Record<string, string[]> = {
  'the pod alone': [],
  ...Object.fromEntries(Object.keys(PATTERNS).map((name) => [name, [name]])),
  [ALL_FOUR]: Object.keys(PATTERNS),
};

function synthVariant(kind: Kind, patterns: string[]): Manifest[] {
  const { chart, workload } = cleanPod(kind);
  for (const name of patterns) PATTERNS[name](chart, workload);
  return Testing.synth(chart);
}

/** Reads the way the tests print them: one line a finding. */
const lines = (findings: Finding[]) => describeFindings(findings);

describeWithLinters('kube-score and checkov: the patterns add no finding to a clean pod', () => {
  let findings: Record<string, Finding[]> = {};
  const setName = (kind: Kind, variant: string) => `${kind}: ${variant}`;

  beforeAll(async () => {
    const sets: Record<string, Manifest[]> = {};
    for (const kind of KINDS) for (const [variant, patterns] of Object.entries(VARIANTS)) sets[setName(kind, variant)] = synthVariant(kind, patterns);
    findings = await lintSets(sets);
    // 24 sets, each a checkov run of 3 to 5 s, as many at a time as there are CPUs.
  }, 15 * 60_000);

  describe.each(KINDS)('%s', (kind) => {
    it('the pod alone: neither linter reports anything', () => {
      expect(lines(findings[setName(kind, 'the pod alone')])).toEqual([]);
    });

    it.each(Object.keys(VARIANTS).filter((v) => v !== 'the pod alone'))('%s: the same findings as the pod alone', (variant) => {
      // `added` lists what the patterns add, one line a finding (kube-score: check, object, container,
      // problem; checkov: check, resource and the first container it failed on).
      const { added, gone } = compareFindings(findings[setName(kind, 'the pod alone')], findings[setName(kind, variant)]);
      expect({ added: lines(added), gone: lines(gone) }).toEqual({ added: [], gone: [] });
    });
  });
});

describeWithLinters('the linter harness', () => {
  let findings: Record<string, Finding[]> = {};

  beforeAll(async () => {
    // The Deployment with the user's image by tag only and no ephemeral storage: findings on the
    // user's own container, which exist with and without a pattern.
    const unpinned = (patterns: string[]) => {
      const { chart, workload } = cleanPod('Deployment');
      for (const name of patterns) PATTERNS[name](chart, workload);
      const manifests = Testing.synth(chart);
      const container = manifests.find((m) => m.kind === 'Deployment')!.spec.template.spec.containers[0];
      container.image = 'registry.example.com/shop/web:1.4.2';
      delete container.resources.requests['ephemeral-storage'];
      return manifests;
    };
    findings = await lintSets({ alone: unpinned([]), withSidecar: unpinned(['Sidecar']) });
  }, 5 * 60_000);

  it('finds what each linter reports on a container, keyed by object, check and container', () => {
    expect(lines(findings.alone)).toEqual([
      'checkov CKV_K8S_43 Deployment.shop.web (container web): Image should use digest',
      'kube-score container-ephemeral-storage-request-and-limit Deployment shop/web container web: Ephemeral Storage request is not set',
    ]);
  });

  it("compares a finding on the user's own container equal with and without patterns", () => {
    const { added, gone } = compareFindings(findings.alone, findings.withSidecar);
    expect(lines(gone)).toEqual([]);
    // Only what the sidecar itself adds, if anything, is new.
    expect(added.every((f) => f.container !== 'web')).toBe(true);
  });
});
