import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { Sidecar } from '../patterns/sidecar';
import { APP_LOG_FILE, APP_SCRIPTS, exampleDeployment, LOG_SHIPPER_COMMAND, sizeOwnStorage } from './example-workload';

/** The app appends to a log file; a log-shipper sidecar follows it and prints each line. */
export class SidecarExampleChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    const deployment = exampleDeployment(
      this,
      'sidecar-example',
      `i=1\n${APP_SCRIPTS.forever(`echo "app log line $i" >> ${APP_LOG_FILE}\ni=$((i+1))`, 2)}`,
    );
    new Sidecar(this, 'LogShipper', {
      workload: deployment,
      sharedPath: '/var/log/app',
      command: LOG_SHIPPER_COMMAND,
    });
    sizeOwnStorage(this);
  }
}
