// The reference app of `npm run test:languages`: the same app is written in Python, Java and Go beside
// it, and each must print this YAML byte for byte. Given `--broken`, it adds an image no rule accepts
// and prints the rule error instead. Given `--include`, it prints instead what Python must print for
// the patterns on objects it did not write: the README's acceptance example (a Sidecar on a Deployment
// from Include) and a selector that injects into every pod labelled tier: web.
import { ApiObject, App, Chart, Helm, Include, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Adapter, AdapterSource, Ambassador, InitSteps, KubernetesTarget, KubernetesVersion, Resources, RestrictedSecurity, Sidecar, WorkloadSelector } from '../../lib';

if (process.argv.includes('--include')) {
  const included = new App();
  const chart = new Chart(included, 'upstream');
  KubernetesTarget.set(chart, KubernetesVersion.V1_29);
  const web = new Include(chart, 'Upstream', { url: 'lib/examples/manifests/web.yaml' }).apiObjects.find((o) => o.kind === 'Deployment')!;
  new Sidecar(chart, 'Logs', { workload: web, appContainer: 'nginx', sharedPath: '/var/log/nginx', command: ['sh', '-c', 'tail -F /var/log/nginx/access.log'] });
  const selected = new Chart(included, 'selected', { namespace: 'shop' });
  new Include(selected, 'Web', { url: 'lib/examples/manifests/web.yaml' });
  for (const workload of WorkloadSelector.withLabels({ tier: 'web' }).selectIn(selected)) {
    new Ambassador(workload, 'Db', { workload, upstreams: [{ name: 'db', host: 'db.data', port: 5432 }] });
  }
  // A selector injecting into a Helm chart's workloads (the chart offers no sidecar values).
  const helm = new Chart(included, 'helm');
  new Helm(helm, 'Shop', { chart: 'lib/examples/helm/shop', releaseName: 'shop', helmExecutable: 'scripts/helm' });
  for (const workload of WorkloadSelector.withLabels({ tier: 'web' }).selectIn(helm)) {
    new Sidecar(workload, 'LogShipper', { workload, sharedPath: '/var/log/nginx', command: ['sh', '-c', 'tail -F /var/log/nginx/access.log'] });
  }
  process.stdout.write(included.synthYaml());
  process.exit(0);
}

const app = new App();

// The demo pod (lib/examples/demo-chart.ts).
const demo = new Chart(app, 'demo');
const pod = new kplus.Pod(demo, 'Pod', {
  metadata: { name: 'multi-container-pod', labels: { app: 'multi-container-app', env: 'dev' } },
  securityContext: RestrictedSecurity.POD,
});
RestrictedSecurity.addContainer(pod, {
  name: 'demoapp-container',
  image: 'busybox:latest',
  command: ['sh', '-c', 'echo "Running the main application..."; sleep 10; echo "Main application complete."'],
  envVariables: { DEMO_ENV: kplus.EnvValue.fromValue('dev') },
  resources: Resources.container({ cpuMillis: { request: 100, limit: 250 }, memoryMebibytes: { request: 64, limit: 128 } }),
});
ApiObject.of(pod).addJsonPatch(JsonPatch.remove('/metadata/labels/cdk8s.io~1metadata.addr'));
new InitSteps(demo, 'Init', {
  workload: pod,
  handOff: false,
  steps: [{
    name: 'init-demoapp-container',
    image: 'busybox:latest',
    command: ['sh', '-c', 'echo "Initializing the application..."; sleep 5; echo "Initialization complete."'],
    envVariables: { INIT_ENV: kplus.EnvValue.fromValue('init-dev') },
    resources: Resources.container({ cpuMillis: { request: 50, limit: 100 }, memoryMebibytes: { request: 32, limit: 64 } }),
  }],
});

// A Deployment with one of each pattern.
const patterns = new Chart(app, 'patterns');
const web = new kplus.Deployment(patterns, 'Web', { securityContext: RestrictedSecurity.POD });
RestrictedSecurity.addContainer(web, {
  name: 'app',
  image: 'busybox:1.36',
  command: ['sh', '-c', 'httpd -f -p 8080'],
  portNumber: 8080,
  resources: Resources.container({ cpuMillis: { request: 100, limit: 200 }, memoryMebibytes: { request: 64, limit: 128 } }),
});
new InitSteps(patterns, 'Setup', { workload: web, steps: [{ name: 'write-config', command: ['sh', '-c', 'echo ready > "$HANDOFF_DIR/config"'] }] });
new Sidecar(patterns, 'LogShipper', { workload: web, sharedPath: '/var/log/app', sharedReadOnly: true, command: ['sh', '-c', 'tail -F /var/log/app/app.log'] });
new Ambassador(patterns, 'Db', { workload: web, upstreams: [{ name: 'db', host: 'db.data', port: 5432 }] });
new Adapter(patterns, 'Metrics', { workload: web, source: AdapterSource.statsEndpoint(8080, '/stats') });
if (process.argv.includes('--broken')) {
  new Sidecar(patterns, 'Broken', { workload: web, image: 'Busybox:1.36!', command: ['sh'] });
}

// A native sidecar in a Job targeting Kubernetes 1.29.
const nativeJob = new Chart(app, 'native-job');
KubernetesTarget.set(nativeJob, KubernetesVersion.V1_29);
const job = new kplus.Job(nativeJob, 'Report', { securityContext: RestrictedSecurity.POD });
RestrictedSecurity.addContainer(job, {
  name: 'report',
  image: 'busybox:1.36',
  command: ['sh', '-c', 'wget -q -O - http://127.0.0.1:9000/'],
  resources: Resources.container({ cpuMillis: { request: 50, limit: 100 }, memoryMebibytes: { request: 32, limit: 64 } }),
});
new Sidecar(nativeJob, 'Server', { workload: job, portNumber: 9000, command: ['sh', '-c', 'httpd -f -p 9000'] });

try {
  process.stdout.write(app.synthYaml());
} catch (error) {
  // As JavaScript prints an Error (`Error: message`), which is what Python's str() of the exception gives.
  process.stdout.write(`error: ${String(error)}\n`);
}
