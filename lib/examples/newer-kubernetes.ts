import { Chart, ChartProps, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { KubernetesTarget, KubernetesVersion } from '../kubernetes/kubernetes-target';
import { ImageContent } from '../patterns/image-content';
import { InitSteps } from '../patterns/init-steps';
import { Sidecar } from '../patterns/sidecar';
import { PodComposition } from '../composition/pod-composition';
import { Resources } from '../patterns/resources';
import { DEFAULT_IMAGE } from '../patterns/container-defaults';
import { APP_SCRIPTS, exampleWorkloadProps, sizeOwnStorage, stopOnTerm } from './example-workload';

/**
 * Examples of what Kubernetes 1.35 to 1.37 added to multi-container pods, each as a pattern option:
 * env files written by an init step, content from an image, and restart rules.
 */

/**
 * What these examples' containers reserve: they print a line now and then, and the e2e node (2 cores)
 * runs every example at once.
 */
const LIGHT = Resources.container({ cpuMillis: { request: 5, limit: 100 }, memoryMebibytes: { request: 16, limit: 64 } });

/** A directory of the app's own that survives its container's restarts (an emptyDir), bounded. */
function stateDirectory(scope: Construct, container: kplus.Container): void {
  container.mount('/state', kplus.Volume.fromEmptyDir(scope, 'State', 'state', { sizeLimit: Size.mebibytes(1) }));
}

/**
 * An init step hands the app env variables through an env file (1.35+: no wrapper script in the
 * app, which reads plain env), and the app reads files from an image mounted as a volume (1.35+,
 * GA 1.36: no init step copying them, no emptyDir).
 */
export class EnvFileExampleChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    KubernetesTarget.set(this, KubernetesVersion.V1_35);
    const print = ['echo "greeting from the env file: $GREETING"', 'echo "from the image: $(head -n 1 /content/etc/passwd)"'].join('\n');
    const deployment = new kplus.Deployment(this, 'Deployment', { ...exampleWorkloadProps('env-file-example', APP_SCRIPTS.forever(print, 10), [], LIGHT), replicas: 1 });
    new InitSteps(this, 'Config', {
      workload: deployment,
      steps: [{ name: 'render-env', envKeys: ['GREETING'], resources: LIGHT, command: ['sh', '-c', `echo "GREETING='hello from render-env'" > "$HANDOFF_ENV_FILE"`] }],
    });
    new ImageContent(this, 'Content', { workload: deployment, image: DEFAULT_IMAGE, mountPath: '/content' });
    sizeOwnStorage(this);
  }
}

/**
 * A Job whose app is restarted when it exits with 42 (a restart rule, 1.35+), though the pod's
 * restartPolicy is Never: it fails once, as a flaky first attempt would, then succeeds. Only the
 * app restarts; its native log shipper keeps running.
 */
export class RestartRulesJobChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    KubernetesTarget.set(this, KubernetesVersion.V1_37);
    const attempt = [
      'if [ -f /state/failed-once ]; then echo "attempt 2: done"; exit 0; fi',
      'touch /state/failed-once',
      'echo "attempt 1: exiting 42"',
      'exit 42',
    ].join('\n');
    const job = new kplus.Job(this, 'Job', { ...exampleWorkloadProps('restart-rules-job', attempt, [], LIGHT) });
    stateDirectory(this, job.containers[0]);
    new Sidecar(this, 'Heartbeat', { workload: job, resources: LIGHT, command: stopOnTerm('while true; do echo "heartbeat"; sleep 2; done') });
    PodComposition.of(job).restartOnExitCodes('app', [42]);
    sizeOwnStorage(this);
  }
}

/**
 * A helper whose exit restarts every container of the pod in place (RestartAllContainers, 1.36+):
 * for an app that cannot reconnect when what it depends on starts over. The helper here exits once,
 * a few seconds after the app started; the init step and the app run again, and the app counts its starts.
 */
export class RestartAllExampleChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    KubernetesTarget.set(this, KubernetesVersion.V1_37);
    const app = [
      'echo start >> /state/starts',
      'echo "app start number $(wc -l < /state/starts)"',
      'while true; do sleep 5; done',
    ].join('\n');
    const deployment = new kplus.Deployment(this, 'Deployment', { ...exampleWorkloadProps('restart-all-example', app, [], LIGHT), replicas: 1 });
    const once = [
      'if [ -f /state/exited-once ]; then echo "up again, staying up"; while true; do sleep 5 & wait $!; done; fi',
      // Exits only once the app has started: a helper exiting while the pod still starts (slow image pulls) would
      // restart containers that never ran, and the app would show one start.
      'until [ -s /state/starts ]; do sleep 1 & wait $!; done',
      'sleep 3',
      'touch /state/exited-once',
      'echo "exiting 3 once: every container restarts"',
      'exit 3',
    ].join('\n');
    // The markers live in a directory the app and the helper share: it outlives their restarts.
    new Sidecar(this, 'Link', {
      workload: deployment,
      sharedPath: '/state',
      sharedVolume: { sizeLimit: Size.mebibytes(1) },
      resources: LIGHT,
      command: ['sh', '-c', `trap 'exit 0' TERM\n${once}`],
      restartPodOnExit: true,
    });
    new InitSteps(this, 'Setup', { workload: deployment, handOff: false, steps: [{ name: 'setup', resources: LIGHT, command: ['sh', '-c', 'echo "setup runs"'] }] });
    sizeOwnStorage(this);
  }
}
