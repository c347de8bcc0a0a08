import { Chart, ChartProps, Helm } from 'cdk8s';
import { Construct } from 'constructs';
import { WorkloadSelector } from '../composition/workload-selector';
import { KubernetesTarget, KubernetesVersion } from '../kubernetes/kubernetes-target';
import { Sidecar } from '../patterns/sidecar';
import { helmExecutable, projectFile, withPrivateTmp } from './example-files';
import { NGINX_LOG_SHIPPER_COMMAND } from './include-example';

/** The values the example gives the shop chart (its greeting ends up in nginx's config). */
export const HELM_EXAMPLE_VALUES = { greeting: 'hello from the shop, rendered by helm' };

/**
 * A Helm chart rendered by cdk8s' `Helm` construct (it runs `helm template`): lib/examples/helm/shop,
 * a small chart with a web Deployment (pod label `tier: web`), its Service and its nginx config, and
 * no values for sidecars or extra containers. A `WorkloadSelector` picks every workload of the
 * release whose pods carry `tier: web`, the way an injecting webhook would but at synth time, and
 * a log shipper is attached to each, scoped under the workload so its id and container name stay
 * the same whatever else the chart renders. Targets Kubernetes 1.29: the shipper is a native sidecar.
 *
 * Needs helm: scripts/helm runs the one pinned in .tools/bin (`scripts/install-tools.sh`, run by
 * `npm test` and `npm run synth`), else `helm` on PATH.
 */
export class HelmExampleChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    KubernetesTarget.set(this, KubernetesVersion.V1_29);
    withPrivateTmp(
      () =>
        new Helm(this, 'Shop', {
          chart: projectFile('lib/examples/helm/shop'),
          releaseName: 'shop',
          helmExecutable: helmExecutable(),
          values: HELM_EXAMPLE_VALUES,
        }),
    );
    for (const workload of WorkloadSelector.withLabels({ tier: 'web' }).selectIn(this)) {
      new Sidecar(workload, 'LogShipper', {
        workload,
        appContainer: 'nginx',
        sharedPath: '/var/log/nginx',
        sharedReadOnly: true,
        command: NGINX_LOG_SHIPPER_COMMAND,
      });
    }
  }
}
