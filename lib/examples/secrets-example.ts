import { Chart, ChartProps, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { InitSteps } from '../patterns/init-steps';
import { APP_SCRIPTS, exampleDeployment, sizeOwnStorage } from './example-workload';

/**
 * A secrets hand-off: an init step renders a credential into a memory-backed, size-limited emptyDir
 * (it never touches the node's disk), and the app reads it read-only at its own path.
 */
export class SecretsExampleChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    const appScript = [
      'echo "secret loaded: $(wc -c < "$HANDOFF_DIR/db-password") bytes from $HANDOFF_DIR"',
      'touch "$HANDOFF_DIR/x" 2>/dev/null || echo "secrets are read-only for the app"',
      APP_SCRIPTS.forever('', 3600),
    ].join('\n');
    new InitSteps(this, 'Secrets', {
      workload: exampleDeployment(this, 'secrets-example', appScript),
      handOffPath: '/rendered',
      appHandOffPath: '/etc/secrets',
      handOffVolume: { medium: kplus.EmptyDirMedium.MEMORY, sizeLimit: Size.mebibytes(1) },
      // Stands in for a Vault agent or a cloud secrets CLI rendering a template.
      steps: [{ name: 'render-secrets', command: ['sh', '-c', 'printf "s3cr3t-from-init" > "$HANDOFF_DIR/db-password"'] }],
    });
    sizeOwnStorage(this);
  }
}
