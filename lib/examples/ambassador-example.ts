import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { Ambassador } from '../patterns/ambassador';
import { APP_SCRIPTS, exampleDeployment, shardStandIn, sizeOwnStorage } from './example-workload';

/**
 * The app asks two database shards through the ambassador on localhost:9000 and :9001.
 * The shards are stand-in containers so the example runs anywhere; point `upstreams` at your Services.
 */
export class AmbassadorExampleChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    const deployment = exampleDeployment(
      this,
      'ambassador-example',
      APP_SCRIPTS.forever(`${APP_SCRIPTS.queryShard(0)}\n${APP_SCRIPTS.queryShard(1)}`, 5),
    );
    deployment.addContainer(shardStandIn(0));
    deployment.addContainer(shardStandIn(1));
    new Ambassador(this, 'DbAmbassador', {
      workload: deployment,
      upstreams: [
        { name: 'shard-0', host: '127.0.0.1', port: 7000 },
        { name: 'shard-1', host: '127.0.0.1', port: 7001 },
      ],
    });
    sizeOwnStorage(this);
  }
}
