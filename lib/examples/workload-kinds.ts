import { Chart, ChartProps, Cron, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Adapter, AdapterSource } from '../patterns/adapter';
import { Ambassador } from '../patterns/ambassador';
import { InitSteps } from '../patterns/init-steps';
import { KubernetesTarget, KubernetesVersion } from '../kubernetes/kubernetes-target';
import { Sidecar } from '../patterns/sidecar';
import {
  APP_LOG_FILE,
  APP_SCRIPTS,
  exampleDeployment,
  exampleWorkloadProps,
  LOG_SHIPPER_COMMAND,
  shardStandIn,
  sizeOwnStorage,
  WRITE_CONFIG_STEP,
} from './example-workload';

/** Writes three log lines and exits 0: a batch app whose Job must complete. */
const BATCH_APP = `for i in 1 2 3; do echo "batch line $i" >> ${APP_LOG_FILE}; sleep 1; done; echo "batch done"`;

/** A log shipper beside the app, sharing its log directory. */
function shipLogs(scope: Construct, workload: kplus.AbstractPod): Sidecar {
  return new Sidecar(scope, 'LogShipper', { workload, sharedPath: '/var/log/app', command: LOG_SHIPPER_COMMAND });
}

/** A Job whose native log shipper (Kubernetes 1.29+) stops after the app, so the Job completes. */
export class JobExampleChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    KubernetesTarget.set(this, KubernetesVersion.V1_29);
    shipLogs(this, new kplus.Job(this, 'Job', exampleWorkloadProps('job-example', BATCH_APP)));
    sizeOwnStorage(this);
  }
}

/** A CronJob that runs an init step, then the batch app with a native log shipper. */
export class CronJobExampleChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    KubernetesTarget.set(this, KubernetesVersion.V1_29);
    const workload = new kplus.CronJob(this, 'CronJob', {
      ...exampleWorkloadProps('cronjob-example', `${APP_SCRIPTS.printHandOff}\n${BATCH_APP}`),
      schedule: Cron.hourly(),
    });
    new InitSteps(this, 'Init', { workload, steps: [WRITE_CONFIG_STEP] });
    shipLogs(this, workload);
    sizeOwnStorage(this);
  }
}

/** A Deployment in native mode: the ambassador starts first and the app only once it listens. */
export class NativeAmbassadorExampleChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    KubernetesTarget.set(this, KubernetesVersion.V1_29);
    const workload = exampleDeployment(this, 'native-ambassador-example', APP_SCRIPTS.forever(APP_SCRIPTS.queryShard(0), 5));
    workload.addContainer(shardStandIn(0));
    new Ambassador(this, 'DbAmbassador', { workload, upstreams: [{ name: 'shard-0', host: '127.0.0.1', port: 7000 }] });
    sizeOwnStorage(this);
  }
}

/** A DaemonSet (one pod per node) with a classic log shipper. */
export class DaemonSetExampleChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    const app = `i=1\n${APP_SCRIPTS.forever(`echo "node log line $i" >> ${APP_LOG_FILE}\ni=$((i+1))`, 2)}`;
    shipLogs(this, new kplus.DaemonSet(this, 'DaemonSet', exampleWorkloadProps('daemonset-example', app)));
    sizeOwnStorage(this);
  }
}

/**
 * A StatefulSet whose app serves `name: value` stats on :8080; an adapter republishes them as
 * Prometheus metrics on :9100, which the app prints to show what a scraper gets.
 */
export class StatefulSetExampleChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    const www = '/srv/www';
    const app = [
      `httpd -p 8080 -h ${www}`,
      'n=0',
      APP_SCRIPTS.forever(
        `n=$((n+1))\nprintf 'requests: %s\\nActive connections: 2\\n' "$n" > ${www}/stats\necho "scraped: $(wget -q -O - http://127.0.0.1:9100/metrics | tr '\\n' ' ')"`,
        2,
      ),
    ].join('\n');
    const workload = new kplus.StatefulSet(this, 'StatefulSet', { ...exampleWorkloadProps('statefulset-example', app, [8080]), replicas: 1 });
    workload.containers[0].mount(www, kplus.Volume.fromEmptyDir(this, 'Www', 'www', { sizeLimit: Size.mebibytes(16) }));
    new Adapter(this, 'Metrics', { workload, source: AdapterSource.statsEndpoint(8080, '/stats'), pollInterval: Duration.seconds(2) });
    sizeOwnStorage(this);
  }
}
