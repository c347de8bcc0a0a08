import { Chart, ChartProps, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { InitSteps } from '../patterns/init-steps';
import { KubernetesTarget, KubernetesVersion } from '../kubernetes/kubernetes-target';
import { DependencyCondition } from '../pod/container-dependencies';
import { PodComposition } from '../composition/pod-composition';
import { Sidecar } from '../patterns/sidecar';
import { APP_LOG_FILE, exampleWorkloadProps, stopOnTerm, sizeOwnStorage } from './example-workload';

const LOG_DIR = '/var/log/app';

/**
 * Declared dependencies and a drain, on Kubernetes 1.33: the log shipper is declared first but
 * depends on the init step that writes its prefix (so it is placed after it); the app depends on
 * the shipper being started; on stop, the shipper sleeps 3 s (preStop sleep action) to flush.
 */
export class LifecycleExampleChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    KubernetesTarget.set(this, KubernetesVersion.V1_33);
    const app = `for i in 1 2 3; do echo "batch line $i" >> ${APP_LOG_FILE}; sleep 1; done; echo "batch done"`;
    const job = new kplus.Job(this, 'Job', exampleWorkloadProps('lifecycle-example', app));
    const shipper = new Sidecar(this, 'LogShipper', {
      workload: job,
      sharedPath: LOG_DIR,
      command: stopOnTerm(`prefix=$(cat ${LOG_DIR}/.prefix); tail -F -n +1 ${APP_LOG_FILE} | awk -v p="$prefix" '{ print p " " $0; fflush() }'`),
      drainTime: Duration.seconds(3),
    });
    const init = new InitSteps(this, 'Init', {
      workload: job,
      handOffPath: LOG_DIR,
      steps: [{ name: 'write-prefix', command: ['sh', '-c', `echo "[shipped]" > ${LOG_DIR}/.prefix`] }],
    });
    const pod = PodComposition.of(job);
    pod.addDependency(shipper.container, init.steps[0], DependencyCondition.COMPLETED);
    pod.addDependency(job.containers[0], shipper.container, DependencyCondition.STARTED);
    sizeOwnStorage(this);
  }
}
