import * as fs from 'fs';
import * as path from 'path';

/**
 * The project's root, found from this file: `__dirname` is lib/examples/ under ts-node and jest, but
 * the root when scripts/synth.js runs main.ts as one esbuild bundle (esbuild keeps `__dirname`, and
 * the bundle runs as main.ts). Whichever it is, the root is the nearest directory holding lib/examples/.
 */
function projectRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'lib', 'examples', 'manifests'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no lib/examples/ above ${__dirname}: the examples run from the project's own tree`);
  }
}

/** A file of the project, by its path from the root (`lib/examples/manifests/web.yaml`), as an absolute path. */
export function projectFile(relativePath: string): string {
  return path.join(projectRoot(), relativePath);
}

/**
 * The helm the examples render charts with: scripts/helm, which runs the build `scripts/install-tools.sh`
 * pins in .tools/bin (`npm test` and `npm run synth` run it first), else `helm` on PATH, with helm's
 * homes in .tools/helm-home.
 */
export function helmExecutable(): string {
  return projectFile('scripts/helm');
}

/** Whether process `pid` runs (on this machine). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `render` (a `new Helm(...)`) with the OS temp directory pointed at a scratch directory of its
 * own in .tools/helm-home/tmp, removed once the objects are read: cdk8s' Helm writes the values and
 * the rendered chart to a new directory in the OS temp directory and leaves it there, one per chart
 * per synth. A killed run's scratch directory is removed by the next run. Under jest, which gives
 * each test file its own copy of process.env, the change does not reach node's os.tmpdir(), and
 * cdk8s' directories stay in the OS temp directory.
 */
export function withPrivateTmp<T>(render: () => T): T {
  const scratchRoot = projectFile('.tools/helm-home/tmp');
  fs.mkdirSync(scratchRoot, { recursive: true });
  for (const name of fs.readdirSync(scratchRoot)) {
    const pid = Number(name.split('-')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !isRunning(pid)) fs.rmSync(path.join(scratchRoot, name), { recursive: true, force: true });
  }
  const scratch = fs.mkdtempSync(path.join(scratchRoot, `${process.pid}-`));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = scratch;
  try {
    return render();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
