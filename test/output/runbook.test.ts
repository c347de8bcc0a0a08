import { App, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Ambassador, InitSteps, KubernetesVersion, PodComposition, Runbook } from '../../lib';
import { runbookFileName } from '../../lib/output/runbook';
import { addExampleCharts } from '../../lib/examples';
import { Manifest, podSpecOf } from '../support/synth';
import { job, workloadWithSidecar } from '../support/workloads';

/** Every workload with patterns in the example app, with its runbook. */
function runbooks(): { composition: PodComposition; text: string }[] {
  const app = Testing.app();
  addExampleCharts(app);
  return PodComposition.findAll(app).map((composition) => ({ composition, text: Runbook.render(composition) }));
}

describe('runbooks', () => {
  const all = runbooks();
  const byFile = Object.fromEntries(all.map(({ composition, text }) => [runbookFileName(composition), text]));

  test('local storage: each directory with its size limit and writers, the pod limit, memory-backed ones, and native sidecars below 1.37', () => {
    const line = (file: string) => byFile[file].split('\n').find((l) => l.startsWith('- **Local storage**'))!;
    expect(line('deployment-sidecar-example.runbook.md')).toContain('exceeds the total limit of containers 384Mi');
    expect(line('deployment-sidecar-example.runbook.md')).toMatch(/`shared-var-log-app-[0-9a-f]+` 128Mi \(written by `app`, `log-shipper`\)/);
    expect(line('deployment-secrets-example.runbook.md')).toContain('counts against the memory of the container that writes it');
    expect(line('deployment-native-ambassador-example.runbook.md')).toContain("Before Kubernetes 1.37 the kubelet does not enforce a native sidecar's own ephemeral-storage limit");
    expect(line('deployment-sidecar-example.runbook.md')).not.toContain('Before Kubernetes 1.37');
    expect(byFile['pod-multi-container-pod.runbook.md']).not.toContain('Local storage');
  });

  test('the demo pod and the combined and native examples match their snapshots', () => {
    expect(byFile['pod-multi-container-pod.runbook.md']).toMatchSnapshot();
    expect(byFile['deployment-combined-example.runbook.md']).toMatchSnapshot();
    expect(byFile['deployment-native-ambassador-example.runbook.md']).toMatchSnapshot();
  });

  test('the demo runbook gives the documented commands and the effective totals', () => {
    const demo = byFile['pod-multi-container-pod.runbook.md'];
    for (const command of [
      'kubectl get pod multi-container-pod',
      'kubectl describe pod multi-container-pod',
      'kubectl logs multi-container-pod -c init-demoapp-container',
      'kubectl logs multi-container-pod -c demoapp-container',
      'kubectl logs -f multi-container-pod -c demoapp-container',
      'kubectl exec -it multi-container-pod -c demoapp-container -- /bin/sh',
      'kubectl delete pod multi-container-pod',
    ]) {
      expect(demo).toContain(command);
    }
    expect(demo).toContain('requests 100m / 64Mi, limits 250m / 128Mi');
  });

  test('every runbook lists the manifest\'s containers in start order, with a logs command each', () => {
    for (const { composition, text } of all) {
      const manifest = composition.manifest as Manifest;
      const spec = podSpecOf(manifest);
      const names: string[] = [...(spec.initContainers ?? []), ...spec.containers].map((c: Manifest) => c.name);
      const rows = text.split('\n').filter((line) => /^\| \d+ \|/.test(line));
      expect(rows.map((row) => row.split('`')[1])).toEqual(names);
      for (const name of names) expect(text).toMatch(new RegExp(`kubectl logs \\S+ -c ${name}\\n`));
      const { requests, limits } = composition.effectiveResources;
      const storage = (mebibytes?: number) => (mebibytes === undefined ? '' : ` / ${mebibytes}Mi`);
      expect(text).toContain(
        `requests ${requests.cpuMillis}m / ${requests.memoryMebibytes}Mi${storage(requests.ephemeralStorageMebibytes)}, ` +
          `limits ${limits.cpuMillis}m / ${limits.memoryMebibytes}Mi${storage(limits.ephemeralStorageMebibytes)}`,
      );
    }
  });

  test('native sidecars are said to start before the app', () => {
    expect(byFile['deployment-native-ambassador-example.runbook.md']).toContain(
      'native sidecars `db-ambassador` start before the app, in this order; `kubectl get` shows `Init:N/1` until each has started. One with a port is gated by its startupProbe',
    );
  });
});

describe('runbookFileName', () => {
  const compositionNamed = (metadata: kplus.DeploymentProps['metadata']) => PodComposition.of(workloadWithSidecar(new App(), 'c', metadata));

  test.each([
    ['a name that climbs out of the output directory', { name: 'x/../../escaped' }, "[c/Web] name 'x/../../escaped' is not a DNS-1123 subdomain."],
    ['a name with upper-case letters', { name: 'Web' }, "[c/Web] name 'Web' is not a DNS-1123 subdomain."],
    ['a namespace that is a path', { name: 'web', namespace: '../etc' }, "[c/Web] namespace '../etc' is not a DNS-1123 label."],
    ['a namespace with a dot', { name: 'web', namespace: 'a.b' }, "[c/Web] namespace 'a.b' is not a DNS-1123 label."],
  ])('fails when the workload has %s, naming the construct path, the value and the fix', (_, metadata, message) => {
    expect(() => runbookFileName(compositionNamed(metadata))).toThrow(message);
    expect(() => runbookFileName(compositionNamed(metadata))).toThrow(/Use at most \d+ lower-case letters/);
  });
});

describe('the runbook draws the lifecycle', () => {
  test('a Mermaid flowchart of start order, readiness gates and stop order', () => {
    const { chart, workload, pod } = job(KubernetesVersion.V1_33);
    new InitSteps(chart, 'Init', { workload, handOff: false, steps: [{ name: 'setup', command: ['true'] }] });
    new Ambassador(chart, 'Proxy', { workload, upstreams: [{ name: 'db', host: 'db', port: 5432 }], drainTime: Duration.seconds(3) });
    const text = Runbook.render(pod);
    expect(text).toContain('```mermaid\nflowchart LR\n  i0["setup<br/>init step: runs to completion"]\n' +
      '  i0 --> i1["proxy<br/>native sidecar: next starts when its startupProbe passes, drains 3 s"]\n' +
      '  i1 --> app["app containers start together:<br/>app"]\n' +
      '  app -- "on stop: SIGTERM after each preStop" --> stopped["app containers stopped"]\n' +
      '  stopped --> s0["proxy<br/>native sidecar stops after the app, in reverse order, drains 3 s"]\n```');
  });
});
