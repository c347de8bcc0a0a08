// The runbooks' "When it is stuck" section, proven: each troubleshooting class is a deliberately
// broken variant of an example, run as a Pod in its own namespace. What `kubectl get`, `describe`
// and `logs` show must appear, and the runbook line for that class must name what they show.
import { readFileSync } from 'fs';
import { join } from 'path';
import { Container, podSpecOf, PodSpec, poll, Transcript, workloadsOf } from './kube';

export const STUCK_NAMESPACE = 'e2e-stuck';

interface Observation {
  /** kubectl arguments, `POD` standing for the variant's pod. */
  command: string[];
  /** What its output must show, once the pod is stuck. */
  shows: RegExp;
  /** What the runbook line must say for the user to recognise it. */
  runbookSays: string[];
}

export interface StuckVariant {
  name: string;
  /** The runbook line's bold label. */
  runbookClass: string;
  /** The example it breaks (its dist/ file). */
  example: string;
  /** The breakage, done to a copy of the example's pod spec. */
  breakSpec: (spec: PodSpec) => void;
  observations: Observation[];
}

const container = (spec: PodSpec, name: string): Container & { command?: string[]; volumeMounts?: { name: string }[]; startupProbe?: { exec?: { command: string[] } } } => {
  const found = [...(spec.initContainers ?? []), ...spec.containers].find((c) => c.name === name);
  if (!found) throw new Error(`stuck variant: no container ${name}`);
  return found;
};

export const STUCK_VARIANTS: StuckVariant[] = [
  {
    name: 'stuck-init',
    runbookClass: 'Init failure',
    example: 'init-example.k8s.yaml',
    breakSpec: (spec) => {
      container(spec, 'write-config').command = ['sh', '-c', 'echo "config source missing, giving up" >&2; exit 1'];
    },
    observations: [
      { command: ['get', 'pod', 'POD'], shows: /Init:(Error|CrashLoopBackOff)/, runbookSays: ['Init:Error', 'Init:CrashLoopBackOff'] },
      { command: ['describe', 'pod', 'POD'], shows: /Exit Code:\s+1/, runbookSays: ['exit code'] },
      { command: ['logs', 'POD', '-c', 'write-config'], shows: /config source missing, giving up/, runbookSays: ['kubectl logs'] },
    ],
  },
  {
    name: 'stuck-oom',
    runbookClass: 'Resource constraints',
    example: 'sidecar-example.k8s.yaml',
    breakSpec: (spec) => {
      // tail buffers a line that never ends: memory grows until the limit.
      container(spec, 'app').command = ['sh', '-c', 'tail /dev/zero'];
    },
    observations: [
      { command: ['get', 'pod', 'POD'], shows: /OOMKilled|CrashLoopBackOff/, runbookSays: ['OOMKilled'] },
      { command: ['describe', 'pod', 'POD'], shows: /Last State:\s+Terminated\s+Reason:\s+OOMKilled/, runbookSays: ['OOMKilled', 'last state'] },
    ],
  },
  {
    name: 'stuck-unschedulable',
    runbookClass: 'Resource constraints',
    example: 'adapter-example.k8s.yaml',
    breakSpec: (spec) => {
      container(spec, 'app').resources = { requests: { cpu: '50m', memory: '4000Gi' }, limits: { cpu: '100m', memory: '4000Gi' } };
    },
    observations: [
      { command: ['get', 'pod', 'POD'], shows: /Pending/, runbookSays: ['Pending'] },
      { command: ['describe', 'pod', 'POD'], shows: /FailedScheduling.*Insufficient memory/, runbookSays: ['Insufficient', 'memory'] },
    ],
  },
  {
    name: 'stuck-startup-probe',
    runbookClass: 'Start order',
    example: 'native-ambassador-example.k8s.yaml',
    breakSpec: (spec) => {
      // The probe waits for a port nothing listens on (7777 = 0x1E61).
      container(spec, 'db-ambassador').startupProbe!.exec!.command = ['grep', '-q', ':1E61 00000000:0000 0A', '/proc/net/tcp'];
    },
    observations: [
      { command: ['describe', 'pod', 'POD'], shows: /Startup probe failed/, runbookSays: ['Startup probe failed'] },
      { command: ['get', 'pod', 'POD'], shows: /Init:0\/1/, runbookSays: ['Init:N/1'] },
    ],
  },
  {
    name: 'stuck-volume',
    runbookClass: 'Volume mounts',
    example: 'sidecar-example.k8s.yaml',
    breakSpec: (spec) => {
      // The reader mounts another volume than the writer, at the same path.
      (spec as PodSpec & { volumes: object[] }).volumes.push({ name: 'other-logs', emptyDir: {} });
      container(spec, 'log-shipper').volumeMounts![0].name = 'other-logs';
    },
    observations: [
      { command: ['logs', 'POD', '-c', 'log-shipper'], shows: /can't open '\/var\/log\/app\/app.log'/, runbookSays: ['cannot open the file', 'kubectl logs'] },
      { command: ['describe', 'pod', 'POD'], shows: /log-shipper:[\s\S]*Mounts:\s+\/var\/log\/app from other-logs/, runbookSays: ['Mounts'] },
      { command: ['exec', 'POD', '-c', 'log-shipper', '--', 'ls', '-A', '/var/log/app'], shows: /^$/, runbookSays: ['empty directory', '-- ls'] },
    ],
  },
  {
    name: 'stuck-disk',
    runbookClass: 'Local storage',
    example: 'sidecar-example.k8s.yaml',
    breakSpec: (spec) => {
      // A chatty app: 200 MiB into the shared log directory, whose emptyDir the Sidecar bounds at 128Mi.
      container(spec, 'app').command = ['sh', '-c', 'dd if=/dev/zero of=/var/log/app/app.log bs=1M count=200; sleep 3600'];
    },
    observations: [
      { command: ['get', 'pod', 'POD'], shows: /\bError\b|Evicted/, runbookSays: ['Error', 'Evicted'] },
      {
        command: ['describe', 'pod', 'POD'],
        shows: /Usage of EmptyDir volume "shared-var-log-app-[0-9a-f]+" exceeds the limit "128Mi"/,
        runbookSays: ['Usage of EmptyDir volume', 'exceeds the limit', 'kubectl describe'],
      },
    ],
  },
];

/** The variant as a Pod manifest: the example's pod template, broken, in the stuck namespace. */
export function variantPod(variant: StuckVariant, dist: string): object {
  const [workload] = workloadsOf(readFileSync(join(dist, variant.example), 'utf8'));
  const spec = structuredClone(podSpecOf(workload));
  variant.breakSpec(spec);
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: variant.name, namespace: STUCK_NAMESPACE }, spec };
}

/** The runbook's line for the variant's class, from the example's runbook in dist/. */
export function runbookLine(variant: StuckVariant, dist: string): string {
  const [workload] = workloadsOf(readFileSync(join(dist, variant.example), 'utf8'));
  const runbook = readFileSync(join(dist, `${workload.kind.toLowerCase()}-${workload.metadata.name}.runbook.md`), 'utf8');
  return runbook.split('\n').find((l) => l.startsWith(`- **${variant.runbookClass}**`)) ?? '';
}

/** Waits for each observation in turn; returns the failures (none = kubectl shows what the runbook says). */
export async function stuckFailures(t: Transcript, variant: StuckVariant, dist: string): Promise<string[]> {
  const failures: string[] = [];
  const line = runbookLine(variant, dist);
  if (!line) failures.push(`the runbook of ${variant.example} has no "${variant.runbookClass}" line`);
  for (const o of variant.observations) {
    const args = o.command.map((a) => (a === 'POD' ? variant.name : a));
    const seen = await poll(150_000, async () => {
      const r = await t.kubectl(['-n', STUCK_NAMESPACE, ...args]);
      return o.shows.test(`${r.stdout}${r.stderr}`.trim()) ? true : undefined;
    });
    if (!seen) failures.push(`kubectl ${args.join(' ')} never showed ${o.shows}`);
    const unsaid = o.runbookSays.filter((s) => !line.toLowerCase().includes(s.toLowerCase()));
    if (line && unsaid.length) failures.push(`the runbook's "${variant.runbookClass}" line does not say ${unsaid.map((s) => JSON.stringify(s)).join(', ')}: ${line}`);
  }
  return failures;
}
