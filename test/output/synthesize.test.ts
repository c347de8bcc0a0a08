import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { addExampleCharts } from '../../lib/examples';
import { AtomicSynthesis, Rule, RuleLevel, RulePolicy, Sidecar } from '../../lib';
import { CLI_SCRATCH_DIRECTORY, outputDirectoryFromEnvironment } from '../../lib/output/synthesize';
import { _breakWriterForTesting, _failAtWriteForTesting } from '../../lib/output/partial-files';
import { manifestsToYaml } from '../../lib/output/yaml';
import { composition, FAULTS } from '../support/compositions';
import { KEEP_RUNNING } from '../support/synth';
import { workloadWithSidecar } from '../support/workloads';

/** The fs module itself (what `import * as fs` wraps), so a spy on it sees lib/'s calls. */
const nodeFs: typeof fs = jest.requireActual('fs');

/** Every file under `dir` with its bytes. */
function snapshotOf(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).map((name) => [name, fs.readFileSync(path.join(dir, name), 'base64')]));
}

/** The example charts plus one whose sidecar has an invalid name; `added` is called between them. */
function examplesWithABrokenChart(app: App, added: () => void = () => {}): void {
  addExampleCharts(app);
  added();
  const chart = new Chart(app, 'broken');
  const workload = new kplus.Deployment(chart, 'Web', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
  new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload, name: 'Not_A_Name' });
}

describe('synthesizeAtomically', () => {
  let outdir: string;
  beforeEach(() => {
    outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'synth-test-')), 'dist');
  });

  test('writes one YAML file per chart, one runbook per workload with patterns, and a marker listing them', () => {
    const result = AtomicSynthesis.synthesize({ addCharts: addExampleCharts }, outdir);
    const files = Object.keys(snapshotOf(outdir));
    expect(files.filter((f) => f.endsWith('.k8s.yaml'))).toHaveLength(23);
    expect(files.filter((f) => f.endsWith('.runbook.md'))).toHaveLength(23);
    expect(files).toContain('pod-multi-container-pod.runbook.md');
    expect(files.sort()).toEqual([...result.files].sort());
    const listed = fs.readFileSync(path.join(outdir, AtomicSynthesis.OUTPUT_MARKER), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(listed).toEqual(files.filter((f) => f !== AtomicSynthesis.OUTPUT_MARKER).sort());
  });

  test('renders each workload once: its runbook is written from the manifest its chart file gets', () => {
    const render = jest.spyOn(kplus.k8s.KubeDeployment.prototype, 'toJson');
    try {
      AtomicSynthesis.synthesize({ addCharts: (app) => {
        workloadWithSidecar(app, 'one', { name: 'one' });
        workloadWithSidecar(app, 'two', { name: 'two' });
      } }, outdir);
      expect(render).toHaveBeenCalledTimes(2);
    } finally {
      render.mockRestore();
    }
    expect(fs.readFileSync(path.join(outdir, 'deployment-two.runbook.md'), 'utf8')).toContain('shipper');
  });

  test.each([
    ['independent charts', (app: App) => addExampleCharts(app)],
    ['charts that depend on each other, one nested', (app: App) => {
      const [first, second] = [workloadWithSidecar(app, 'first', { name: 'one' }), workloadWithSidecar(app, 'second', { name: 'two' })];
      workloadWithSidecar(Chart.of(second), 'nested', { name: 'three' });
      Chart.of(first).addDependency(Chart.of(second));
    }],
  ])('writes the chart files cdk8s\' app.synth() writes, the same objects in the same order, as js-yaml writes them: %s', (_, build) => {
    AtomicSynthesis.synthesize({ addCharts: build }, outdir);
    const app = new App({ outdir: path.join(path.dirname(outdir), 'cdk8s'), recordConstructMetadata: false });
    build(app);
    app.synth();
    const ours = Object.fromEntries(Object.entries(snapshotOf(outdir)).filter(([name]) => name.endsWith('.k8s.yaml')));
    const theirs = snapshotOf(app.outdir);
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
    for (const [name, bytes] of Object.entries(theirs)) {
      const objects = parseAllDocuments(Buffer.from(bytes, 'base64').toString()).map((doc) => doc.toJSON());
      // Equal objects with keys in the same order: js-yaml writes exactly these bytes.
      expect(Buffer.from(ours[name], 'base64').toString()).toEqual(manifestsToYaml(objects));
    }
  });

  test('renders a chart class with a toJson of its own by that toJson, as app.synth() does', () => {
    class Labelled extends Chart {
      public toJson(): unknown[] {
        return [...super.toJson(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'added-by-tojson' } }];
      }
    }
    const build = (app: App) => {
      const chart = new Labelled(app, 'labelled');
      const workload = new kplus.Deployment(chart, 'Web', { metadata: { name: 'web' }, containers: [{ name: 'app', image: 'busybox:1.36' }] });
      new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload, name: 'shipper' });
    };
    AtomicSynthesis.synthesize({ addCharts: build }, outdir);
    const written = parseAllDocuments(fs.readFileSync(path.join(outdir, 'labelled.k8s.yaml'), 'utf8')).map((doc) => doc.toJSON());
    expect(written.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual(['Deployment/web', 'ConfigMap/added-by-tojson']);
    expect(fs.existsSync(path.join(outdir, 'deployment-web.runbook.md'))).toBe(true);
  });

  test('rewrites nothing when the output is already current', () => {
    AtomicSynthesis.synthesize({ addCharts: addExampleCharts }, outdir);
    const demo = path.join(outdir, 'demo.k8s.yaml');
    fs.utimesSync(demo, new Date(0), new Date(0));
    expect(AtomicSynthesis.synthesize({ addCharts: addExampleCharts }, outdir).changed).toEqual([]);
    expect(fs.statSync(demo).mtimeMs).toBe(0);
  });

  test('deletes the files it wrote before that the app no longer makes', () => {
    AtomicSynthesis.synthesize({ addCharts: addExampleCharts }, outdir);
    const result = AtomicSynthesis.synthesize({ addCharts: (app) => workloadWithSidecar(app, 'only', { name: 'web' }) }, outdir);
    expect(Object.keys(snapshotOf(outdir)).sort()).toEqual([AtomicSynthesis.OUTPUT_MARKER, 'deployment-web.runbook.md', 'only.k8s.yaml']);
    expect(result.changed).toContain('demo.k8s.yaml');
  });

  test('removes a half-written file a killed run left behind', () => {
    AtomicSynthesis.synthesize({ addCharts: addExampleCharts }, outdir);
    const before = snapshotOf(outdir);
    fs.writeFileSync(path.join(outdir, `${AtomicSynthesis.OUTPUT_MARKER}.partial.demo.k8s.yaml.tmp`), 'half a fi');
    AtomicSynthesis.synthesize({ addCharts: addExampleCharts }, outdir);
    expect(snapshotOf(outdir)).toEqual(before);
  });

  test('accepts a directory holding only partial files, which a first run killed before its marker leaves', () => {
    fs.mkdirSync(outdir);
    fs.writeFileSync(path.join(outdir, `${AtomicSynthesis.OUTPUT_MARKER}.partial.demo.k8s.yaml.tmp`), 'half a fi');
    AtomicSynthesis.synthesize({ addCharts: addExampleCharts }, outdir);
    expect(Object.keys(snapshotOf(outdir)).filter((name) => name.includes('.partial.'))).toEqual([]);
  });

  test('fails when a chart is invalid, leaving the previous output byte for byte: nothing renamed, the partial files written meanwhile removed', () => {
    AtomicSynthesis.synthesize({ addCharts: addExampleCharts }, outdir);
    const before = snapshotOf(outdir);
    // Spied once the examples are built: cdk8s' Helm (helm-example) writes the chart it renders to a temporary file.
    // The writer thread's partial files are its own (and no spy sees another thread); this thread replaces nothing.
    let writes: jest.SpyInstance[] = [];
    const spyOnWrites = () => {
      writes = (['openSync', 'writeFileSync', 'mkdtempSync', 'renameSync', 'rmSync', 'unlinkSync'] as const).map((name) => jest.spyOn(nodeFs, name));
    };
    try {
      expect(() => AtomicSynthesis.synthesize({ addCharts: (app) => examplesWithABrokenChart(app, spyOnWrites) }, outdir)).toThrow("container 'Not_A_Name'");
      expect(writes).toHaveLength(6);
      for (const spy of writes) expect(spy).not.toHaveBeenCalled();
    } finally {
      writes.forEach((spy) => spy.mockRestore());
    }
    expect(snapshotOf(outdir)).toEqual(before);
    expect(fs.readdirSync(path.dirname(outdir))).toEqual(['dist']);
  });

  // Writes 1 and 2 are the two changed files (the writer thread's), write 3 the marker (this thread's).
  test.each([1, 2, 3])('fails when the disk fills up at write %i, leaving the previous output and no partial file', (failingWrite) => {
    AtomicSynthesis.synthesize({ addCharts: addExampleCharts }, outdir);
    const before = snapshotOf(outdir);
    let writes = 0;
    const writeSync = nodeFs.writeSync;
    const full = jest.spyOn(nodeFs, 'writeSync').mockImplementation(((...args: Parameters<typeof fs.writeSync>) => {
      if (++writes === failingWrite - 2) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return (writeSync as (...a: unknown[]) => number)(...args);
    }) as typeof fs.writeSync);
    _failAtWriteForTesting(failingWrite <= 2 ? failingWrite : undefined);
    try {
      expect(() => AtomicSynthesis.synthesize({ addCharts: (app) => workloadWithSidecar(app, 'only', { name: 'web' }) }, outdir)).toThrow('ENOSPC');
    } finally {
      full.mockRestore();
      _failAtWriteForTesting(undefined);
    }
    expect(Object.keys(snapshotOf(outdir))).toEqual(Object.keys(before));
    expect(snapshotOf(outdir)).toEqual(before);
  });

  test('fails when the disk fills up in a new directory, leaving no directory', () => {
    _failAtWriteForTesting(1);
    try {
      expect(() => AtomicSynthesis.synthesize({ addCharts: (app) => workloadWithSidecar(app, 'only', { name: 'web' }) }, path.join(outdir, 'deeper'))).toThrow('ENOSPC');
    } finally {
      _failAtWriteForTesting(undefined);
    }
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('fails, rather than waiting for ever, when the writer thread cannot start, leaving the previous output', () => {
    AtomicSynthesis.synthesize({ addCharts: addExampleCharts }, outdir);
    const before = snapshotOf(outdir);
    _breakWriterForTesting(true);
    try {
      expect(() => AtomicSynthesis.synthesize({ addCharts: (app) => workloadWithSidecar(app, 'only', { name: 'web' }) }, outdir)).toThrow(
        "synth's writer thread did not start: Error: broken for a test",
      );
    } finally {
      _breakWriterForTesting(false);
    }
    expect(snapshotOf(outdir)).toEqual(before);
  });

  test('runs under tsx, whose esbuild transform adds a helper to the writer thread\'s code', () => {
    const root = path.join(__dirname, '..', '..');
    const script = [
      `const { AtomicSynthesis } = require(${JSON.stringify(path.join(root, 'lib/output/synthesize'))});`,
      `const { workloadWithSidecar } = require(${JSON.stringify(path.join(root, 'test/support/workloads'))});`,
      `AtomicSynthesis.synthesize({ addCharts: (app) => workloadWithSidecar(app, 'only', { name: 'web' }) }, ${JSON.stringify(outdir)});`,
    ].join('\n');
    const scriptFile = path.join(path.dirname(outdir), 'tsx-synth.ts');
    fs.writeFileSync(scriptFile, script);
    execFileSync(process.execPath, ['--import', 'tsx', scriptFile], { cwd: root, timeout: 60_000, stdio: 'pipe' });
    expect(Object.keys(snapshotOf(outdir)).sort()).toEqual([AtomicSynthesis.OUTPUT_MARKER, 'deployment-web.runbook.md', 'only.k8s.yaml']);
  });

  test('fails when two workloads map to one runbook file name, naming both construct paths', () => {
    const twoWebs = (app: App) => {
      // Only with the duplicate-object rule off can two workloads share a kind and name.
      RulePolicy.set(app, Rule.DUPLICATE_OBJECT, RuleLevel.OFF, { reason: 'applied to two clusters' });
      workloadWithSidecar(app, 'first', { name: 'web' });
      workloadWithSidecar(app, 'second', { name: 'web' });
    };
    expect(() => AtomicSynthesis.synthesize({ addCharts: twoWebs }, outdir)).toThrow(
      "[second/Web] its runbook file name 'deployment-web.runbook.md' is also the one of [first/Web]. Give one of the two workloads another name or namespace.",
    );
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('names a namespaced workload\'s runbook <namespace>.<kind>-<name>.runbook.md', () => {
    const result = AtomicSynthesis.synthesize({ addCharts: (app) => workloadWithSidecar(app, 'shop', { name: 'web', namespace: 'shop' }) }, outdir);
    expect(result.files).toContain('shop.deployment-web.runbook.md');
  });

  test('property: random invalid inputs never leave a half-written dist/', () => {
    const fault = fc.constantFrom(...Object.keys(FAULTS));
    // A previous output synth wrote itself (with its marker), so the faults are reached, not refused.
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'property-dist-')), 'dist');
    AtomicSynthesis.synthesize({ addCharts: addExampleCharts }, outdir);
    const previous = snapshotOf(outdir);
    fc.assert(
      fc.property(composition, fault, (c, name) => {
        expect(() => AtomicSynthesis.synthesize({ addCharts: (app) => FAULTS[name](app, c) }, outdir)).toThrow();
        expect(snapshotOf(outdir)).toEqual(previous);
        expect(fs.readdirSync(path.dirname(outdir))).toEqual(['dist']);
      }),
      { numRuns: 100 },
    );
  });
});

describe('outputDirectoryFromEnvironment', () => {
  test('is CDK8S_OUTDIR, or dist when it is unset or names the cdk8s CLI\'s scratch directory', () => {
    expect(outputDirectoryFromEnvironment({ CDK8S_OUTDIR: 'out' })).toBe('out');
    expect(outputDirectoryFromEnvironment({})).toBe('dist');
    expect(outputDirectoryFromEnvironment({ CDK8S_OUTDIR: CLI_SCRATCH_DIRECTORY })).toBe('dist');
  });
});
