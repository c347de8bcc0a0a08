import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { AtomicSynthesis } from '../../lib';
import { checkOutputDirectory } from '../../lib/output/synthesize';
import { copyProject } from '../support/project-copy';
import { treeOf } from '../support/tree';

/** The fs module itself (what `import * as fs` wraps), so a spy on it sees lib/'s calls. */
const nodeFs: typeof fs = jest.requireActual('fs');

/** One small chart; `image` changes its bytes. */
function oneDeployment(image: string): (app: App) => void {
  return (app) => {
    new kplus.Deployment(new Chart(app, 'web'), 'Web', { containers: [{ name: 'app', image }] });
  };
}

describe('output directory', () => {
  let sandbox: string;
  let project: string;
  const cwd = process.cwd();
  beforeEach(() => {
    sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'outdir-test-'));
    project = path.join(sandbox, 'project');
    fs.mkdirSync(path.join(project, '.git'), { recursive: true });
    fs.writeFileSync(path.join(project, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    fs.writeFileSync(path.join(project, 'package.json'), '{}\n');
    fs.writeFileSync(path.join(project, 'main.ts'), '// the app\n');
    process.chdir(project);
  });
  afterEach(() => {
    process.chdir(cwd);
    fs.rmSync(sandbox, { recursive: true, force: true });
  });

  /** Expects synth into `outdir` to throw `message` and to leave the whole sandbox as it was. */
  function expectRefused(outdir: string, message: string | RegExp): void {
    const before = treeOf(sandbox);
    expect(() => AtomicSynthesis.synthesize({ addCharts: oneDeployment('busybox:1.36') }, outdir)).toThrow(message);
    expect(treeOf(sandbox)).toEqual(before);
  }

  test('fails when the output directory is the project root', () => {
    expectRefused('.', `Output directory ${project} is the project root or holds it (${project}).`);
  });

  test('fails when the output directory holds the project root', () => {
    expectRefused('..', `Output directory ${sandbox} is the project root or holds it`);
  });

  test('fails when the output directory holds .git', () => {
    const other = path.join(sandbox, 'other');
    fs.mkdirSync(path.join(other, '.git'), { recursive: true });
    expectRefused(other, `Output directory ${other} holds .git, so it is a project, not synth output.`);
  });

  test('fails when the output directory holds package.json', () => {
    const other = path.join(sandbox, 'other');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'package.json'), '{}');
    expectRefused(other, `Output directory ${other} holds package.json`);
  });

  test('fails when the output directory holds foreign files and no marker, saying how to fix it', () => {
    fs.mkdirSync('dist');
    fs.writeFileSync('dist/notes.txt', 'mine\n');
    expectRefused('dist', /holds files synth did not write \('notes.txt'\) and no \.cdk8s-multi-container-patterns marker\..*Move those files out/);
  });

  test('fails when a directory synth made gained a foreign file, which it keeps', () => {
    AtomicSynthesis.synthesize({ addCharts: oneDeployment('busybox:1.36') }, 'dist');
    fs.writeFileSync('dist/kept-by-hand.yaml', 'kept: true\n');
    expectRefused('dist', `Output directory ${path.join(project, 'dist')} holds files synth did not write: 'kept-by-hand.yaml'.`);
  });

  test('fails when the output directory is a symbolic link, writing nothing where it points', () => {
    const elsewhere = path.join(sandbox, 'elsewhere');
    fs.mkdirSync(elsewhere);
    fs.symlinkSync(elsewhere, 'dist');
    expectRefused('dist', `is a symbolic link to ${elsewhere}, and synth never follows one. Synth writes only where it cannot destroy files it did not write. Give the directory it points to instead.`);
  });

  test('fails when a file it wrote was replaced by a link out of the output directory, leaving its target alone', () => {
    AtomicSynthesis.synthesize({ addCharts: oneDeployment('busybox:1.36') }, 'dist');
    const outside = path.join(sandbox, 'outside.yaml');
    fs.writeFileSync(outside, 'precious\n');
    fs.rmSync('dist/web.k8s.yaml');
    fs.symlinkSync(outside, 'dist/web.k8s.yaml');
    expectRefused('dist', "holds web.k8s.yaml, which is no longer a file synth wrote but a link or directory");
  });

  test('fails when an edited marker lists a path out of the output directory, deleting nothing', () => {
    AtomicSynthesis.synthesize({ addCharts: oneDeployment('busybox:1.36') }, 'dist');
    fs.appendFileSync(path.join('dist', AtomicSynthesis.OUTPUT_MARKER), '../main.ts\n');
    expectRefused('dist', "listing names synth never writes ('../main.ts'). Synth writes only where it cannot destroy files it did not write. It was edited");
  });

  test('replaces its own files in a directory that cannot itself be renamed or removed (a mount point)', () => {
    AtomicSynthesis.synthesize({ addCharts: oneDeployment('busybox:1.36') }, 'dist');
    const dist = path.resolve('dist');
    // A mount point: the directory itself cannot be renamed or removed, nor anything made beside it.
    const busy = (paths: unknown[]) => paths.some((p) => typeof p === 'string' && (path.resolve(p) === dist || path.dirname(path.resolve(p)) === project));
    const spies = (['renameSync', 'rmSync', 'rmdirSync', 'mkdtempSync', 'writeFileSync', 'openSync'] as const).map((name) => {
      const original = nodeFs[name] as (...args: unknown[]) => unknown;
      return jest.spyOn(nodeFs, name).mockImplementation(((...args: unknown[]) => {
        if (name !== 'openSync' || args[1] !== 'r') {
          if (busy(args.slice(0, name === 'renameSync' ? 2 : 1))) throw Object.assign(new Error(`EBUSY: ${name} ${String(args[0])}`), { code: 'EBUSY' });
        }
        return original(...args);
      }) as never);
    });
    try {
      expect(AtomicSynthesis.synthesize({ addCharts: oneDeployment('busybox:1.37') }, 'dist').changed).toEqual(['web.k8s.yaml']);
    } finally {
      spies.forEach((spy) => spy.mockRestore());
    }
    expect(fs.readFileSync('dist/web.k8s.yaml', 'utf8')).toContain('busybox:1.37');
  });

  test('checkOutputDirectory returns the files the marker lists', () => {
    AtomicSynthesis.synthesize({ addCharts: oneDeployment('busybox:1.36') }, 'dist');
    expect(checkOutputDirectory('dist')).toEqual(['web.k8s.yaml']);
    expect(checkOutputDirectory(path.join(sandbox, 'new'))).toEqual([]);
  });
});

describe('npm run synth with the output directory set to the project root', () => {
  test('fails and finds the project untouched', () => {
    const project = copyProject('root-synth-');
    try {
      const before = treeOf(project);
      let stderr = '';
      try {
        execFileSync('npm', ['run', '--silent', 'synth'], { cwd: project, env: { ...process.env, CDK8S_OUTDIR: '.' }, stdio: 'pipe' });
      } catch (error) {
        stderr = String((error as { stderr: Buffer }).stderr);
      }
      expect(stderr).toContain(`Synth failed, dist/ left as it was:\nOutput directory ${project} is the project root`);
      expect(treeOf(project)).toEqual(before);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
