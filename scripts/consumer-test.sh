#!/usr/bin/env bash
# Proves the package works outside this repo: packs it, installs the tarball into a fresh cdk8s
# project (from the npm cache where it can, the registry otherwise), whose TypeScript chart attaches
# a sidecar and an init step to its own Deployment, type-checks it, synthesizes, and checks the output.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
# The versions this repo installed, so everything comes from the local npm cache.
dependencies=$(node -p "JSON.stringify(Object.fromEntries(['cdk8s', 'cdk8s-plus-27', 'constructs', 'typescript'].map((name) => [name, require('./node_modules/' + name + '/package.json').version])))")

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
npx tsc --strict --esModuleInterop --skipLibCheck --module commonjs --target es2020 main.ts
node main.js

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
