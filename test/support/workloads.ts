import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { KubernetesTarget, KubernetesVersion, PodComposition, Sidecar } from '../../lib';
import { EXAMPLE_APP_RESOURCES } from '../../lib/examples/example-workload';
import { RestrictedSecurity } from '../../lib/patterns/restricted-security';
import { KEEP_RUNNING } from './synth';

/** A Deployment `web` (construct test/Web) with a hardened app container, in a chart `test` targeting `version`. */
export function web(version = KubernetesVersion.V1_27): { chart: Chart; workload: kplus.Deployment } {
  const chart = new Chart(Testing.app(), 'test');
  KubernetesTarget.set(chart, version);
  const workload = new kplus.Deployment(chart, 'Web', {
    metadata: { name: 'web' },
    securityContext: RestrictedSecurity.POD,
    containers: [{ name: 'app', image: 'busybox:1.36', command: KEEP_RUNNING, resources: EXAMPLE_APP_RESOURCES, securityContext: RestrictedSecurity.container() }],
  });
  return { chart, workload };
}

/**
 * A chart `test` targeting `version` with a workload (a Deployment `Web` unless `create` says
 * otherwise) holding one app container that is sized but not hardened.
 */
export function chartWith(
  version: KubernetesVersion,
  create: (chart: Chart, props: kplus.PodProps) => kplus.AbstractPod = (c, p) => new kplus.Deployment(c, 'Web', p),
): { chart: Chart; workload: kplus.AbstractPod } {
  const chart = new Chart(Testing.app(), 'test');
  KubernetesTarget.set(chart, version);
  const workload = create(chart, { containers: [{ name: 'app', image: 'busybox:1.36', resources: EXAMPLE_APP_RESOURCES }] });
  return { chart, workload };
}

/** A Job `Batch` whose hardened app container runs `true`, in a chart `test` targeting `version`, with its composition. */
export function job(version: KubernetesVersion, props: Partial<kplus.JobProps> = {}): { chart: Chart; workload: kplus.Job; pod: PodComposition } {
  const chart = new Chart(Testing.app(), 'test');
  KubernetesTarget.set(chart, version);
  const workload = new kplus.Job(chart, 'Batch', {
    securityContext: RestrictedSecurity.POD,
    containers: [{ name: 'app', image: 'busybox:1.36', command: ['true'], resources: EXAMPLE_APP_RESOURCES, securityContext: RestrictedSecurity.container() }],
    ...props,
  });
  return { chart, workload, pod: PodComposition.attachTo(workload) };
}

/** A chart (in `scope`, an app or a chart) with one Deployment that has a sidecar; `metadata` names it. */
export function workloadWithSidecar(scope: Construct, chartId: string, metadata: kplus.DeploymentProps['metadata']): kplus.Deployment {
  const chart = new Chart(scope, chartId);
  const workload = new kplus.Deployment(chart, 'Web', { metadata, containers: [{ name: 'app', image: 'busybox:1.36' }] });
  new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload, name: 'shipper' });
  return workload;
}

/** Props as a JavaScript caller could pass them, past the type checker. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const untyped = (props: Record<string, unknown>): any => props;

/** Console warnings printed while `run` runs. */
export function warningsOf(run: () => void): string[] {
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    run();
    return warn.mock.calls.map(([message]) => String(message));
  } finally {
    warn.mockRestore();
  }
}
