import { addExampleCharts } from './lib/examples';
import { synthesizeAtomically } from './lib/synthesize';

// Entry point only: the charts live in lib/ so tests build them without writing dist/.
try {
  synthesizeAtomically(addExampleCharts);
} catch (error) {
  console.error(`Synth failed, dist/ left as it was:\n${(error as Error).message}`);
  process.exitCode = 1;
}
