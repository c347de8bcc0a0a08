// Data-loss check (issue #12), run by .ci/run: kills `npm run synth` and `npx cdk8s synth` (SIGKILL to the
// whole process group) at random points in a throwaway copy of the project and checks what each kill left.
//   node --import tsx scripts/kill-synth.ts [RUNS_PER_ROUTE (default 24)] [SEED]
// A third of the runs start from the current output: it must be there byte for byte after any kill. A third
// start from an older output (every file different, one file retired), a third from none: after a kill each
// file must be whole, old or new, nothing foreign, and the next run must accept the directory and finish the
// job. Exits 1 on any failure.
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkOutputDirectory, OUTPUT_MARKER } from '../lib/output/synthesize';
import { copyProject } from '../test/support/project-copy';
import { treeOf } from '../test/support/tree';

type Tree = Record<string, string>;
interface Route {
  command: string;
  args: string[];
  env: Record<string, string>;
}

const runsPerRoute = Number(process.argv[2] ?? 24);
const seed = Number(process.argv[3] ?? Date.now() % 1e9);
const project = copyProject('kill-synth-');
const dist = path.join(project, 'dist');
// The children's temp directory, to see whether a kill leaves anything there.
const childTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kill-synth-tmp-'));
const ROUTES: Record<string, Route> = {
  'npm run synth': { command: 'npm', args: ['run', '--silent', 'synth'], env: { CDK8S_OUTDIR: dist } },
  'npx cdk8s synth': { command: 'npx', args: ['cdk8s', 'synth'], env: {} },
};

/** mulberry32: the same SEED gives the same kill points. */
function randomFrom(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ (t + Math.imul(t ^ (t >>> 14), 71 | t));
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function start(route: Route): ChildProcess {
  const env = { ...process.env, ...route.env, TMPDIR: childTmp };
  return spawn(route.command, route.args, { cwd: project, env, detached: true, stdio: 'ignore' });
}

/** How many threads of process group `group` have not exited yet (a zombie's have: they can change nothing). */
function livingThreads(group: number): number {
  let living = 0;
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let tasks: string[];
    try {
      tasks = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // gone meanwhile
    }
    for (const task of tasks) {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
        // After the command name in parentheses: state, parent pid, process group.
        const [state, , taskGroup] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(taskGroup) === group && state !== 'Z' && state !== 'X') living++;
      } catch {
        // gone meanwhile
      }
    }
  }
  return living;
}

/**
 * Resolves once no thread of `group` is left. npm's exit is seen before its children have all died: measured,
 * 19 of 40 kills aimed at the writes still had threads in the group then, and a thread killed inside a system
 * call (creating a partial file, say) finishes that call first. Looking at dist/ any earlier would take that
 * file for the next run's.
 */
async function groupGone(group: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (livingThreads(group) > 0) {
    if (Date.now() > deadline) throw new Error(`kill-synth: process group ${group} still runs 30 s after SIGKILL`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Runs `route`, SIGKILLs its process group after `killAfterMs` (never, if undefined); true if it was killed. */
async function run(route: Route, killAfterMs?: number): Promise<boolean> {
  const child = start(route);
  const group = child.pid as number;
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  if (killAfterMs !== undefined) {
    const timer = setTimeout(() => {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // It had finished already.
      }
    }, killAfterMs);
    exited.then(() => clearTimeout(timer));
  }
  const killed = (await exited) === 'SIGKILL';
  if (killed) await groupGone(group);
  return killed;
}

function isPartial(name: string): boolean {
  return name.startsWith(`${OUTPUT_MARKER}.partial.`);
}

function sameTree(a: Tree, b: Tree): boolean {
  return differences(a, b).length === 0;
}

/** The names whose presence or bytes differ between `after` and `expected`, each with how. */
function differences(after: Tree, expected: Tree): string[] {
  const names = [...new Set([...Object.keys(after), ...Object.keys(expected)])].sort();
  return names.flatMap((name) => {
    if (!(name in after)) return [`${name} missing`];
    if (!(name in expected)) return [`${name} added`];
    return after[name] === expected[name] ? [] : [`${name} different`];
  });
}

/** Empties dist/ rather than removing it, which a mount point would refuse. */
function setOutput(tree: Tree): void {
  for (const name of fs.readdirSync(dist)) fs.rmSync(path.join(dist, name), { recursive: true, force: true });
  for (const [name, content] of Object.entries(tree)) fs.writeFileSync(path.join(dist, name), Buffer.from(content, 'base64'));
}

/** `current` as an older synth would have left it: every file different, and one file it no longer makes. */
function olderOutputThan(current: Tree): Tree {
  const retired = 'retired-example.k8s.yaml';
  const older: Tree = { [retired]: Buffer.from('kind: Retired\n').toString('base64') };
  for (const [name, content] of Object.entries(current)) {
    if (name !== OUTPUT_MARKER) older[name] = Buffer.concat([Buffer.from(content, 'base64'), Buffer.from('# older\n')]).toString('base64');
  }
  const [header, ...names] = Buffer.from(current[OUTPUT_MARKER], 'base64').toString().trimEnd().split('\n');
  older[OUTPUT_MARKER] = Buffer.from([header, ...[...names, retired].sort(), ''].join('\n')).toString('base64');
  return older;
}

/** What is wrong with `after`, a kill's leftovers, given it started from `before` and synth makes `current`. */
function problemsWith(after: Tree, before: Tree, current: Tree): string[] {
  return Object.entries(after).flatMap(([name, content]) => {
    if (isPartial(name)) return []; // removed by the next run
    if (!(name in before) && !(name in current)) return [`foreign file ${name}`];
    return content === before[name] || content === current[name] ? [] : [`${name} is neither the old nor the new file`];
  }).concat(Object.keys(before).filter((name) => !(name in after) && name in current).map((name) => `${name} is missing`));
}

/** Kills `route` runsPerRoute times from the current, an older and no output; returns what went wrong. */
async function killRepeatedly(label: string, route: Route, current: Tree, older: Tree, random: () => number): Promise<string[]> {
  const failures: string[] = [];
  const tally = { killed: 0, finished: 0, mixed: 0, partial: 0 };
  const t0 = Date.now();
  await run(route);
  const durationMs = Date.now() - t0;
  if (!sameTree(treeOf(dist), current)) failures.push(`${label}: an unkilled run does not reproduce the output`);
  const scenarios: [string, Tree][] = [['the current', current], ['an older', older], ['no', {}]];
  for (let i = 0; i < runsPerRoute; i++) {
    const [scenario, before] = scenarios[i % 3];
    setOutput(before);
    // Every other kill aims at the end of a run, where the files are written.
    const killAfterMs = Math.round(durationMs * (i % 2 === 0 ? random() * 1.1 : 0.75 + random() * 0.3));
    if (await run(route, killAfterMs)) tally.killed++;
    else tally.finished++;
    const after = treeOf(dist);
    const where = `${label}, run ${i + 1} (from ${scenario} output, killed at ${killAfterMs} ms)`;
    if (before === current && !sameTree(after, current)) failures.push(`${where}: the output changed (${differences(after, current).join(', ')})`);
    for (const problem of problemsWith(after, before, current)) failures.push(`${where}: ${problem}`);
    try {
      checkOutputDirectory(dist, project); // what the next run does first
    } catch (error) {
      failures.push(`${where}: the next run would refuse what the kill left: ${(error as Error).message}`);
    }
    const whole = Object.fromEntries(Object.entries(after).filter(([name]) => !isPartial(name)));
    if (!sameTree(whole, before) && !sameTree(whole, current)) tally.mixed++;
    if (Object.keys(after).some(isPartial)) tally.partial++;
  }
  // A kill mid-way leaves a mix of whole files; the next run must finish the job.
  setOutput(older);
  await run(route, Math.round(durationMs * 0.9));
  await run(route);
  if (!sameTree(treeOf(dist), current)) failures.push(`${label}: the run after a kill does not restore the new output`);
  console.log(
    `  ${label.padEnd(16)} unkilled ${durationMs} ms; ${runsPerRoute} runs: ${tally.killed} killed, ${tally.finished} finished first; ` +
      `${tally.mixed} left a mix of whole old and new files, ${tally.partial} partial files (removed by the next run)`,
  );
  return failures;
}

async function main(): Promise<void> {
  const random = randomFrom(seed);
  const failures: string[] = [];
  const outsideDist = (relative: string) => relative === 'dist' || relative === '.cdk8s-cli-scratch' || relative === 'node_modules';
  const projectBefore = treeOf(project, outsideDist);
  console.log(`kill-synth: ${runsPerRoute} runs per route, seed ${seed}, project copy ${project}`);
  const startedAt = Date.now();
  fs.mkdirSync(dist);
  // As root, dist/ is a mount point (tmpfs) here, as it may be in a container: synth must not rename it.
  const mounted = spawnSync('mount', ['-t', 'tmpfs', 'tmpfs', dist]).status === 0;
  console.log(`  dist/ is ${mounted ? '' : 'not '}a mount point${mounted ? '' : ' (mounting needs root)'}`);
  try {
    await run(ROUTES['npm run synth']);
    const current = treeOf(dist);
    const older = olderOutputThan(current);
    for (const [label, route] of Object.entries(ROUTES)) failures.push(...(await killRepeatedly(label, route, current, older, random)));
    if (!sameTree(treeOf(project, outsideDist), projectBefore)) failures.push('files outside dist/ changed in the project');
    // scripts/synth.js keeps its bundle there on purpose; anything else would be left by a kill.
    const leftovers = fs.readdirSync(childTmp).filter((name) => !name.startsWith('cdk8s-synth-bundle-'));
    if (leftovers.length > 0) failures.push(`left in the temp directory: ${leftovers.join(', ')}`);
    console.log(`  ${((Date.now() - startedAt) / 1000).toFixed(1)} s in all`);
  } finally {
    if (mounted) spawnSync('umount', [dist]);
    fs.rmSync(project, { recursive: true, force: true });
    fs.rmSync(childTmp, { recursive: true, force: true });
  }
  if (failures.length > 0) {
    console.error(`kill-synth: ${failures.length} failures (seed ${seed}):\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
  console.log('kill-synth: every kill left the previous output or whole files the next run completes');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
