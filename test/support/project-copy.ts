import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REPO = path.join(__dirname, '..', '..');
/** What `npm run synth` and `npx cdk8s synth` need; dist/ is left out so each caller sets it up. */
const PROJECT_FILES = ['main.ts', 'lib', 'imports', 'scripts', 'package.json', 'cdk8s.yaml', 'tsconfig.json'];

/** A throwaway copy of the project (a git repository, node_modules and .tools linked) in the OS temp directory. */
export function copyProject(prefix: string): string {
  const project = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  for (const item of PROJECT_FILES) fs.cpSync(path.join(REPO, item), path.join(project, item), { recursive: true });
  fs.symlinkSync(fs.realpathSync(path.join(REPO, 'node_modules')), path.join(project, 'node_modules'));
  // The pinned tools (helm, for the helm-example chart), so the copy's synth need not build them again.
  if (fs.existsSync(path.join(REPO, '.tools'))) fs.symlinkSync(fs.realpathSync(path.join(REPO, '.tools')), path.join(project, '.tools'));
  execFileSync('git', ['init', '-q', project]);
  return project;
}
