import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { validateManifests } from './support/kubernetes-schema';
import { restrictedViolations } from './support/pss';
import { Manifest, podSpecOf } from './support/synth';

// Every TypeScript block in the README is a whole program: it is type-checked, run, and what it
// synthesizes must pass the checks dist/ passes. The blocks are read from the README itself.
const ROOT = path.resolve(__dirname, '..');
const README = path.join(ROOT, 'README.md');
const PACKAGE_NAME = 'cdk8s-multi-container-patterns';
const WORKLOAD_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];

function readmeBlocks(): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = [];
  const pattern = /^```ts\n([\s\S]*?)^```$/gm;
  const text = fs.readFileSync(README, 'utf8');
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    blocks.push({ line: text.slice(0, match.index).split('\n').length, code: match[1] });
  }
  return blocks;
}

describe('README code', () => {
  const blocks = readmeBlocks();
  // Inside the repository so that the blocks resolve node_modules; the package name maps to lib/.
  const workdir = fs.mkdtempSync(path.join(ROOT, 'test', '.readme-'));
  const files = blocks.map(({ line, code }) => {
    const file = path.join(workdir, `block-line-${line}.ts`);
    fs.writeFileSync(file, code.split(`'${PACKAGE_NAME}'`).join(`'${path.join(ROOT, 'lib')}'`));
    return { line, file };
  });
  afterAll(() => fs.rmSync(workdir, { recursive: true, force: true }));

  test('has TypeScript blocks, the first one the simplest example', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    expect(fs.readFileSync(README, 'utf8').indexOf('```ts')).toBeLessThan(fs.readFileSync(README, 'utf8').indexOf('## On a fresh machine'));
  });

  test('every block type-checks', () => {
    const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile).config;
    const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
    const program = ts.createProgram(files.map((f) => f.file), { ...options, noEmit: true, noUnusedLocals: false });
    const errors = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(errors).toEqual([]);
  }, 60_000);

  test.each(files.map((f) => [f.line, f.file]))('the block at README line %i synthesizes schema-valid, PSS-restricted manifests', (_line, file) => {
    const outdir = fs.mkdtempSync(path.join(workdir, 'out-'));
    execFileSync(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, env: { ...process.env, CDK8S_OUTDIR: outdir }, stdio: 'pipe' });
    const manifests: Manifest[] = fs
      .readdirSync(outdir)
      .filter((name) => name.endsWith('.yaml'))
      .flatMap((name) => parseAllDocuments(fs.readFileSync(path.join(outdir, name), 'utf8')).map((doc) => doc.toJS()));
    expect(manifests.length).toBeGreaterThan(0);
    const native = manifests.some((m) => WORKLOAD_KINDS.includes(m.kind) && (podSpecOf(m).initContainers ?? []).some((c: Manifest) => c.restartPolicy));
    expect(validateManifests(manifests, native ? '1.29' : '1.27')).toEqual([]);
    for (const m of manifests.filter((m) => WORKLOAD_KINDS.includes(m.kind))) {
      expect(restrictedViolations(`${m.kind}/${m.metadata.name}`, podSpecOf(m))).toEqual([]);
    }
  }, 60_000);
});
