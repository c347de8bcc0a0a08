import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { Adapter, AdapterSource } from '../patterns/adapter';
import { Ambassador } from '../patterns/ambassador';
import { InitSteps } from '../patterns/init-steps';
import { Sidecar } from '../patterns/sidecar';
import {
  APP_LOG_FILE,
  APP_SCRIPTS,
  exampleDeployment,
  LOG_SHIPPER_COMMAND,
  shardStandIn,
  sizeOwnStorage,
  WRITE_CONFIG_STEP,
} from './example-workload';

/** One Deployment with all four patterns: init hand-off, log shipper, shard ambassador, log adapter. */
export class CombinedExampleChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    const appScript = [
      APP_SCRIPTS.printHandOff,
      APP_SCRIPTS.forever(`${APP_SCRIPTS.queryShard(0)}\n${APP_SCRIPTS.writeLogLines(APP_LOG_FILE)}`, 3),
    ].join('\n');
    const workload = exampleDeployment(this, 'combined-example', appScript);
    workload.addContainer(shardStandIn(0));

    new InitSteps(this, 'Init', {
      workload,
      steps: [WRITE_CONFIG_STEP],
    });
    new Sidecar(this, 'LogShipper', {
      workload,
      sharedPath: '/var/log/app',
      command: LOG_SHIPPER_COMMAND,
    });
    new Ambassador(this, 'DbAmbassador', { workload, upstreams: [{ name: 'shard-0', host: '127.0.0.1', port: 7000 }] });
    new Adapter(this, 'LogNormalizer', { workload, source: AdapterSource.logFile(APP_LOG_FILE) });
    sizeOwnStorage(this);
  }
}
