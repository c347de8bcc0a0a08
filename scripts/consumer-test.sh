#!/usr/bin/env bash
# Proves the package works outside this repo: packs it, installs the tarball into a fresh cdk8s
# project (from the npm cache where it can, the registry otherwise), whose TypeScript chart attaches
# a sidecar and an init step to its own Deployment, type-checks it, synthesizes, and checks the output.
# A second chart attaches all four patterns to a Deployment and a Job of cdk8s-plus-33, the newest
# cdk8s-plus, which the library does not depend on. With a directory argument, that chart's YAML is
# copied there (test:e2e applies it on the cluster).
set -euo pipefail
out=${1:-}
cd "$(dirname "$0")/.."
repo=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
# The versions this repo installed, so everything comes from the local npm cache.
dependencies=$(node -p "JSON.stringify(Object.fromEntries(['cdk8s', 'cdk8s-plus-27', 'cdk8s-plus-33', 'constructs', 'typescript'].map((name) => [name, require('./node_modules/' + name + '/package.json').version])))")

mkdir "$work/consumer" && cd "$work/consumer"
node -e "
const dependencies = { ...$dependencies, 'cdk8s-multi-container-patterns': 'file:../$tarball' };
require('fs').writeFileSync('package.json', JSON.stringify({ name: 'consumer', private: true, dependencies }, null, 2));
"
npm install --prefer-offline --no-audit --no-fund --loglevel=error

cat > main.ts <<'TS'
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { InitSteps, RestrictedSecurity, Sidecar } from 'cdk8s-multi-container-patterns';

const app = new App();
const chart = new Chart(app, 'shop');
const api = new kplus.Deployment(chart, 'Api', {
  metadata: { name: 'api' },
  containers: [{ name: 'api', image: 'busybox:1.36', securityContext: RestrictedSecurity.container() }],
});
new InitSteps(chart, 'Migrate', { workload: api, steps: [{ name: 'migrate', command: ['sh', '-c', 'echo ok > $HANDOFF_DIR/done'] }] });
new Sidecar(chart, 'LogShipper', { workload: api, sharedPath: '/var/log/api', command: ['sh', '-c', 'tail -F /var/log/api/api.log'] });
app.synth();
TS
cat > plus33.ts <<'TS'
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import { Adapter, AdapterSource, Ambassador, InitSteps, KubernetesTarget, KubernetesVersion, Sidecar } from 'cdk8s-multi-container-patterns';

const app = new App();
const chart = new Chart(app, 'plus33');
KubernetesTarget.set(chart, KubernetesVersion.V1_29);
// busybox runs as root unless told otherwise; cdk8s-plus-33 asks for runAsNonRoot, so give a user, and drop
// every capability, as the restricted Pod Security profile asks (cdk8s-plus-33 keeps them).
const user = { user: 1000, group: 1000, capabilities: { drop: [kplus.Capability.ALL] } };
const sized = {
  cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(100) },
  memory: { request: Size.mebibytes(32), limit: Size.mebibytes(64) },
};
const api = new kplus.Deployment(chart, 'Api', {
  metadata: { name: 'plus33-api' },
  replicas: 1,
  containers: [{
    name: 'api',
    image: 'busybox:1.36',
    command: ['sh', '-c', 'cat $HANDOFF_DIR/greeting; while true; do echo "$(date) served via $DB_ADDR" >> /var/log/api/api.log; sleep 2; done'],
    securityContext: user,
    resources: sized,
  }],
});
const report = new kplus.Job(chart, 'Report', {
  metadata: { name: 'plus33-report' },
  containers: [{
    name: 'report',
    image: 'busybox:1.36',
    command: ['sh', '-c', 'cat $HANDOFF_DIR/greeting; echo "report via $DB_ADDR" >> /var/log/api/api.log; sleep 3'],
    securityContext: user,
    resources: sized,
  }],
});
for (const workload of [api, report]) {
  new InitSteps(workload, 'Setup', { workload, steps: [{ name: 'greet', command: ['sh', '-c', 'echo hello from greet > $HANDOFF_DIR/greeting'] }] });
  new Sidecar(workload, 'LogShipper', { workload, sharedPath: '/var/log/api', sharedReadOnly: true, command: ['sh', '-c', 'trap "exit 0" TERM; tail -F /var/log/api/api.log & wait'] });
  new Ambassador(workload, 'Db', { workload, upstreams: [{ name: 'db', host: '127.0.0.1', port: 7000 }] });
  new Adapter(workload, 'Json', { workload, source: AdapterSource.logFile('/var/log/api/api.log'), pollInterval: Duration.seconds(5) });
}
app.synth();
TS
npx tsc --strict --esModuleInterop --skipLibCheck --module commonjs --target es2020 main.ts plus33.ts
node main.js
node plus33.js

node - <<'JS'
const { Yaml } = require('cdk8s');
const [deployment] = Yaml.load('dist/shop.k8s.yaml');
const spec = deployment.spec.template.spec;
const fail = (what) => { console.error(`consumer test: ${what}\n${JSON.stringify(spec, null, 2)}`); process.exit(1); };
if (spec.initContainers?.map((c) => c.name).join() !== 'migrate') fail('init step migrate missing');
if (spec.containers.map((c) => c.name).join() !== 'api,log-shipper') fail('sidecar log-shipper missing');
for (const c of [...spec.initContainers, ...spec.containers]) {
  if (!c.resources?.requests?.cpu || !c.resources?.limits?.memory) fail(`${c.name} has no resources`);
}
const mounts = (name) => [...spec.initContainers, ...spec.containers].find((c) => c.name === name).volumeMounts.map((m) => m.mountPath).join();
if (mounts('log-shipper') !== '/var/log/api' || mounts('api') !== '/handoff,/var/log/api') fail('shared volumes not mounted');
console.log('consumer test: the packed library synthesized a Deployment with its init step and sidecar');
JS

node - <<'JS'
const { Yaml } = require('cdk8s');
const objects = Yaml.load('dist/plus33.k8s.yaml');
const fail = (what, spec) => { console.error(`consumer test (cdk8s-plus-33): ${what}\n${JSON.stringify(spec, null, 2)}`); process.exit(1); };
for (const kind of ['Deployment', 'Job']) {
  const workload = objects.find((o) => o.kind === kind);
  if (!workload) fail(`no ${kind}`, objects);
  const spec = workload.spec.template.spec;
  const init = (spec.initContainers ?? []).map((c) => `${c.name}${c.restartPolicy === 'Always' ? '(native)' : ''}`).join();
  if (init !== 'greet,log-shipper(native),db(native),json(native)') fail(`${kind}: init containers are ${init}`, spec);
  const app = spec.containers[0];
  if (spec.containers.length !== 1 || !app.env?.some((e) => e.name === 'DB_ADDR' && e.value === 'localhost:9000')) fail(`${kind}: the app lacks DB_ADDR`, spec);
  for (const c of [...spec.initContainers, ...spec.containers]) {
    if (!c.resources?.requests?.cpu || !c.resources?.limits?.memory) fail(`${kind}: ${c.name} has no resources`, spec);
    if (c.securityContext?.allowPrivilegeEscalation !== false) fail(`${kind}: ${c.name} is not hardened`, spec);
  }
}
console.log('consumer test: cdk8s-plus-33 Deployment and Job got all four patterns, native, sized and hardened');
JS
if [ -n "$out" ]; then cp dist/plus33.k8s.yaml "$out/"; fi
