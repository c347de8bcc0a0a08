// The fast app command (`npm run synth`, cdk8s.yaml `app:`): runs main.ts as one esbuild bundle, built on the
// fly whenever main.ts, lib/ or a package it uses changed, else taken from a cache in the OS temp directory.
// Types are stripped, not checked (`npm test` checks them). One file with its packages inside loads faster than
// node resolving and compiling ~150 modules one by one, and skipping esbuild when nothing changed saves its start.
//   node scripts/synth.js [ENTRY]
// ENTRY (a .ts file in the project, main.ts when not given) is run the same way: `npm run bench:helm` runs its
// app of N workloads, scripts/bench-app.ts, through this very route.
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const entry = path.resolve(root, process.argv[2] ?? 'main.ts');
// One cache per project and entry.
const cacheKey = entry === path.join(root, 'main.ts') ? root : `${root}\n${entry}`;
const cacheDir = path.join(os.tmpdir(), `cdk8s-synth-bundle-${crypto.createHash('sha256').update(cacheKey).digest('hex').slice(0, 12)}`);
const bundleFile = path.join(cacheDir, 'main.js');
const inputsFile = path.join(cacheDir, 'inputs.json');

/** Each input file's size and mtime: a bundle is current while they are unchanged. */
function fingerprint(inputs) {
  return inputs.map((file) => {
    const stat = fs.statSync(path.resolve(root, file));
    return `${file} ${stat.size} ${stat.mtimeMs}`;
  });
}

function cachedBundle() {
  try {
    const recorded = JSON.parse(fs.readFileSync(inputsFile, 'utf8'));
    // A bundle made before this script was one of its inputs was made by an older script.
    if (!recorded.inputs.includes(path.relative(root, __filename))) return undefined;
    if (fingerprint(recorded.inputs).join('\n') !== recorded.fingerprint.join('\n')) return undefined;
    return fs.readFileSync(bundleFile, 'utf8');
  } catch {
    return undefined; // no cache yet, or an input was removed
  }
}

/**
 * Left out of the bundle, loaded by node from node_modules: modules that find files beside themselves
 * through `__dirname`, which in the bundle is main.ts's directory for every module. cdk8s' yaml.js runs
 * its `_loadurl.mjs` to read a file or URL (Include, Helm).
 */
// By real path, as esbuild matches them after resolving (node_modules may be a link, as in a project copy).
const external = [fs.realpathSync(require.resolve('cdk8s/lib/yaml.js', { paths: [root] }))];

function buildBundle() {
  const { outputFiles, metafile } = require('esbuild').buildSync({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    // Where the bundle runs as (below): esbuild writes the external modules' paths relative to it.
    outfile: path.join(path.dirname(entry), 'main.js'),
    external,
    metafile: true,
    logLevel: 'error',
  });
  const code = outputFiles[0].text;
  // This script too: a change of how it bundles makes a new bundle.
  const inputs = [...Object.keys(metafile.inputs), path.relative(root, __filename)];
  // Written to temporary names and renamed, so a concurrent run never reads half a cache; a killed
  // run's temporary files are removed here.
  fs.mkdirSync(cacheDir, { recursive: true });
  for (const leftover of fs.readdirSync(cacheDir).filter((name) => name.endsWith('.tmp'))) fs.rmSync(path.join(cacheDir, leftover), { force: true });
  for (const [file, content] of [[bundleFile, code], [inputsFile, JSON.stringify({ inputs, fingerprint: fingerprint(inputs) })]]) {
    const partial = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(partial, content);
    fs.renameSync(partial, file);
  }
  return code;
}

const code = cachedBundle() ?? buildBundle();
// Run as if it were main.js beside the entry, so paths and any require() left resolve from the project.
const app = new Module(entry, module);
app.filename = entry;
app.paths = Module._nodeModulePaths(root);
app._compile(code, entry);
