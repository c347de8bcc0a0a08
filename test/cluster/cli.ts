// npm run cluster:up | npm run cluster:down (see cluster.ts).
import { down, up } from './cluster';
import { RUN } from './layout';

const commands: Record<string, () => Promise<void>> = { up, down };
const command = commands[process.argv[2]];
if (!command) {
  console.error(`usage: cli.ts up|down (got ${process.argv[2] ?? 'nothing'})`);
  process.exit(2);
}
command().then(() => process.exit(0), (error: Error) => {
  console.error(`cluster: ${error.message}`);
  console.error(`cluster: component logs are in ${RUN}; \`npm run cluster:down\` stops what started`);
  process.exit(1);
});
