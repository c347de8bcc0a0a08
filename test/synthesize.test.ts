import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { addExampleCharts } from '../lib/examples';
import { Sidecar, synthesizeAtomically } from '../lib';
import { KEEP_RUNNING } from './support/synth';

/** Every file under `dir` with its bytes. */
function snapshotOf(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).map((name) => [name, fs.readFileSync(path.join(dir, name), 'base64')]));
}

/** The example charts plus one whose sidecar has an invalid name. */
function examplesWithABrokenChart(app: App): void {
  addExampleCharts(app);
  const chart = new Chart(app, 'broken');
  const workload = new kplus.Deployment(chart, 'Web', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
  new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload, name: 'Not_A_Name' });
}

describe('synthesizeAtomically', () => {
  let outdir: string;
  beforeEach(() => {
    outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'synth-test-')), 'dist');
  });

  test('writes one YAML file per chart and one runbook per workload with patterns', () => {
    synthesizeAtomically(addExampleCharts, outdir);
    const files = Object.keys(snapshotOf(outdir));
    expect(files.filter((f) => f.endsWith('.k8s.yaml'))).toHaveLength(18);
    expect(files.filter((f) => f.endsWith('.runbook.md'))).toHaveLength(18);
    expect(files).toContain('pod-multi-container-pod.runbook.md');
  });

  test('fails when a chart is invalid, leaving the previous dist/ byte for byte and no staging directory', () => {
    synthesizeAtomically(addExampleCharts, outdir);
    fs.writeFileSync(path.join(outdir, 'kept-by-hand.yaml'), 'kept: true\n');
    const before = snapshotOf(outdir);

    expect(() => synthesizeAtomically(examplesWithABrokenChart, outdir)).toThrow("container 'Not_A_Name'");
    expect(snapshotOf(outdir)).toEqual(before);
    expect(fs.readdirSync(path.dirname(outdir))).toEqual(['dist']);
  });
});
