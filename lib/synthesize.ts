import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { PodComposition } from './pod-composition';
import { renderRunbook, runbookFileName } from './runbook';

/**
 * Synthesizes the charts `build` adds into `outdir`, with a runbook per workload that has patterns
 * (`<kind>-<name>.runbook.md`), all or nothing: they are written to a staging
 * directory beside it, which replaces `outdir` only once every chart validated and was written.
 * A failing synth leaves the previous `outdir` byte for byte as it was.
 * `outdir` defaults to where `cdk8s synth` asks for (CDK8S_OUTDIR), else `dist`.
 */
export function synthesizeAtomically(build: (app: App) => void, outdir = process.env.CDK8S_OUTDIR ?? 'dist'): void {
  const target = path.resolve(outdir);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staging = fs.mkdtempSync(path.join(path.dirname(target), `.${path.basename(target)}-staging-`));
  try {
    const app = new App({ outdir: staging });
    build(app);
    app.synth();
    for (const composition of app.node.findAll().filter((c): c is PodComposition => c instanceof PodComposition)) {
      fs.writeFileSync(path.join(staging, runbookFileName(composition)), renderRunbook(composition));
    }
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  const previous = `${staging}-previous`;
  if (fs.existsSync(target)) fs.renameSync(target, previous);
  fs.renameSync(staging, target);
  fs.rmSync(previous, { recursive: true, force: true });
}
