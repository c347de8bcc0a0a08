import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { InitSteps } from '../patterns/init-steps';
import { APP_SCRIPTS, exampleDeployment, WRITE_CONFIG_STEP, sizeOwnStorage } from './example-workload';

/** Two init steps write, in order, a file the app prints once it starts. */
export class InitExampleChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    const deployment = exampleDeployment(
      this,
      'init-example',
      APP_SCRIPTS.printHandOff + '\n' + APP_SCRIPTS.forever('', 3600),
    );
    new InitSteps(this, 'Init', {
      workload: deployment,
      steps: [
        WRITE_CONFIG_STEP,
        { name: 'register', command: ['sh', '-c', 'echo "registered-by=register" >> "$HANDOFF_DIR/config.txt"'] },
      ],
    });
    sizeOwnStorage(this);
  }
}
