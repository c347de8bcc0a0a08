// The packed library in a fresh cdk8s project on cdk8s-plus-33 (scripts/consumer-test.sh), on the
// cluster: its Deployment and Job, each with all four patterns as native sidecars, apply with no
// warning under PodSecurity restricted, the Deployment becomes Available and the Job completes.
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ROOT } from '../cluster/layout';
import { must } from '../cluster/processes';
import { poll, Transcript } from './kube';

export async function consumerFailures(t: Transcript, notes: string[]): Promise<string[]> {
  const out = mkdtempSync(join(tmpdir(), 'consumer-'));
  try {
    await must('bash', [join(ROOT, 'scripts', 'consumer-test.sh'), out], { timeoutMs: 600_000, cwd: ROOT });
    const manifest = join(out, 'plus33.k8s.yaml');
    const applied = await t.kubectl(['apply', '-f', manifest]);
    const failures = [
      ...(applied.code === 0 ? [] : [`kubectl apply exit code ${applied.code}`]),
      ...applied.stderr.split('\n').filter((l) => /warning/i.test(l)).map((w) => `printed: ${w}`),
    ];
    const available = await t.kubectl(['wait', '--for=condition=Available', '--timeout=240s', 'deployment/plus33-api']);
    if (available.code !== 0) failures.push('deployment/plus33-api not Available');
    const condition = await poll(240_000, async () => {
      const r = await t.kubectl(['get', 'job/plus33-report', '-o', 'jsonpath={range .status.conditions[?(@.status=="True")]}{.type} {end}']);
      return ['Complete', 'Failed'].find((c) => r.stdout.split(' ').includes(c));
    });
    if (condition !== 'Complete') failures.push(`job/plus33-report: ${condition ?? 'neither Complete nor Failed within 240 s'}`);
    // The app read what the init step wrote, and reached the ambassador's address through its env.
    const logs = await t.kubectl(['logs', 'job/plus33-report', '-c', 'report']);
    if (!logs.stdout.includes('hello from greet')) failures.push('the Job\'s app did not print what its init step wrote');
    const shipped = await t.kubectl(['logs', 'job/plus33-report', '-c', 'log-shipper']);
    if (!shipped.stdout.includes('report via localhost:9000')) failures.push('the Job\'s log shipper did not ship the app\'s line');
    notes.push(`report: ${logs.stdout.trim().split('\n')[0] ?? ''}; log-shipper: ${shipped.stdout.trim().split('\n')[0] ?? ''}`);
    await t.kubectl(['delete', '-f', manifest, '--ignore-not-found', '--wait=true', '--timeout=120s']);
    return failures;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
