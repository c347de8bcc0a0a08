import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { Adapter, AdapterSource } from '../patterns/adapter';
import { APP_LOG_FILE, APP_SCRIPTS, exampleDeployment, sizeOwnStorage } from './example-workload';

/** The app logs `<time> <LEVEL> <message>`; the adapter prints the same lines as JSON. */
export class AdapterExampleChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    const deployment = exampleDeployment(this, 'adapter-example', APP_SCRIPTS.forever(APP_SCRIPTS.writeLogLines(APP_LOG_FILE), 2));
    new Adapter(this, 'LogNormalizer', { workload: deployment, source: AdapterSource.logFile(APP_LOG_FILE) });
    sizeOwnStorage(this);
  }
}
