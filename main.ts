import * as path from 'path';
import { addExampleCharts } from './lib/examples';
import { AtomicSynthesis } from './lib/output/synthesize';

// Entry point only: the charts live in lib/ so tests build them without writing dist/.
try {
  const { outdir, files, changed } = AtomicSynthesis.synthesize({ addCharts: addExampleCharts });
  // Said here because plain `npx cdk8s synth` looks in its scratch directory and reports no manifests;
  // on stderr, because the CLI swallows the app's stdout.
  const shown = path.relative(process.cwd(), outdir);
  console.error(`Synthesized ${files.length} files into ${shown.startsWith('..') ? outdir : shown}/ (${changed.length} changed)`);
} catch (error) {
  console.error(`Synth failed, dist/ left as it was:\n${(error as Error).message}`);
  process.exitCode = 1;
}
