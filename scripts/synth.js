// The fast app command (`npm run synth`, cdk8s.yaml `app:`): bundles main.ts and lib/ with esbuild in memory
// (types stripped, no type check: `npm test` does that) and runs the bundle in this process. Packages stay
// external, so node loads cdk8s from node_modules as usual; nothing is written but the synth output.
const esbuild = require('esbuild');
const Module = require('module');
const path = require('path');

const root = path.join(__dirname, '..');
const entry = path.join(root, 'main.ts');
const [bundle] = esbuild.buildSync({
  entryPoints: [entry],
  bundle: true,
  platform: 'node',
  packages: 'external',
  format: 'cjs',
  target: 'node20',
  write: false,
  logLevel: 'error',
}).outputFiles;
// Compiled as if it were main.js beside main.ts, so `require('cdk8s')` resolves from the project.
const app = new Module(entry, module);
app.filename = entry;
app.paths = Module._nodeModulePaths(root);
app._compile(bundle.text, entry);
