import { ApiObject, Chart, ChartProps, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { InitSteps } from '../patterns/init-steps';
import { Resources } from '../patterns/resources';
import { RestrictedSecurity } from '../patterns/restricted-security';

/**
 * The reference demo: Pod `multi-container-pod` with one init step that must finish before the app
 * runs. Fields are exactly the demo's, plus hardening (security contexts).
 */
export class DemoChart extends Chart {
  public readonly pod: kplus.Pod;
  public readonly init: InitSteps;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    this.pod = new kplus.Pod(this, 'Pod', {
      metadata: { name: 'multi-container-pod', labels: { app: 'multi-container-app', env: 'dev' } },
      securityContext: RestrictedSecurity.POD,
      containers: [
        {
          name: 'demoapp-container',
          image: 'busybox:latest',
          command: ['sh', '-c', 'echo "Running the main application..."; sleep 10; echo "Main application complete."'],
          envVariables: { DEMO_ENV: kplus.EnvValue.fromValue('dev') },
          resources: Resources.container({ cpuMillis: { request: 100, limit: 250 }, memoryMebibytes: { request: 64, limit: 128 } }),
          securityContext: RestrictedSecurity.container(),
        },
      ],
    });
    // The demo's labels are exactly app and env; cdk8s-plus adds its own selector label to every Pod.
    ApiObject.of(this.pod).addJsonPatch(JsonPatch.remove('/metadata/labels/cdk8s.io~1metadata.addr'));

    this.init = new InitSteps(this, 'Init', {
      workload: this.pod,
      handOff: false,
      steps: [
        {
          name: 'init-demoapp-container',
          image: 'busybox:latest',
          command: ['sh', '-c', 'echo "Initializing the application..."; sleep 5; echo "Initialization complete."'],
          envVariables: { INIT_ENV: kplus.EnvValue.fromValue('init-dev') },
          resources: Resources.container({ cpuMillis: { request: 50, limit: 100 }, memoryMebibytes: { request: 32, limit: 64 } }),
        },
      ],
    });
    // The demo's resources are exactly cpu and memory: the ephemeral storage every pattern container
    // gets is taken out again with the user's escape hatch, which applies after the patterns' part.
    ApiObject.of(this.pod).addJsonPatch(
      JsonPatch.remove('/spec/initContainers/0/resources/requests/ephemeral-storage'),
      JsonPatch.remove('/spec/initContainers/0/resources/limits/ephemeral-storage'),
    );
  }
}
