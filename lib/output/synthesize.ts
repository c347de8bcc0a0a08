import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, DependencyGraph, Names } from 'cdk8s';
import { IConstruct } from 'constructs';
import { PodComposition } from '../composition/pod-composition';
import { observeRenders } from '../render/workload-renderer';
import { renderRunbook, runbookFileName } from './runbook';
import { PartialFiles } from './partial-files';

/**
 * The file that marks a directory synth made. It lists the files synth wrote there: the only ones it
 * replaces or deletes. Committed with dist/ (a fresh `npx cdk8s synth -o DIR` writes the same one).
 */
export const OUTPUT_MARKER = '.cdk8s-multi-container-patterns';

/**
 * The directory cdk8s.yaml gives the cdk8s CLI as `output`. The CLI deletes its output directory before
 * it runs the app, so it must never be dist/: when the CLI asks for this one, the app writes to dist/
 * and leaves this one empty (the CLI only checks that it exists).
 */
export const CLI_SCRATCH_DIRECTORY = '.cdk8s-cli-scratch';

const DEFAULT_OUTPUT_DIRECTORY = 'dist';
const MARKER_HEADER = '# Written by synth (cdk8s-multi-container-patterns): the files below are its own. Do not edit.';
/** A file being written: renamed over its final name once complete, removed by the next run if left behind. */
const PARTIAL_PREFIX = `${OUTPUT_MARKER}.partial.`;
const PARTIAL_SUFFIX = '.tmp';
/** The names synth itself gives files (chart files and runbooks): no separators, no `..`. */
const PLAIN_FILE_NAME = /^[a-z0-9][a-z0-9._-]*$/i;

/**
 * Where synth writes: CDK8S_OUTDIR (what `cdk8s synth -o DIR` sets), dist/ when it is unset or names the
 * CLI's scratch directory (plain `npx cdk8s synth`).
 */
export function outputDirectoryFromEnvironment(env: NodeJS.ProcessEnv = process.env): string {
  const requested = env.CDK8S_OUTDIR;
  if (!requested || isCliScratchDirectory(requested)) return DEFAULT_OUTPUT_DIRECTORY;
  return requested;
}

function isCliScratchDirectory(dir: string): boolean {
  return path.resolve(dir) === path.resolve(CLI_SCRATCH_DIRECTORY);
}

/** What an app is made of: the charts `AtomicSynthesis.synthesize` builds and writes. */
export interface IChartSource {
  /** Adds the charts to `app`. */
  addCharts(app: App): void;
}

/** Synth that writes only into directories it owns, and replaces their files whole. */
export class AtomicSynthesis {
  /**
   * The file that marks a directory synth made. It lists the files synth wrote there: the only ones
   * it replaces or deletes.
   */
  public static readonly OUTPUT_MARKER = OUTPUT_MARKER;

  /**
   * Synthesizes the charts `source` adds, with a runbook per workload that has patterns, into `outdir`
   * (default: where `cdk8s synth` asks for, CDK8S_OUTDIR, else `dist`).
   *
   * What is guaranteed:
   * - `outdir` is checked first: synth writes only into a new or empty
   *   directory or one it made, and never touches a file it did not write.
   * - While the app renders, a writer thread writes each changed file whole beside its final name (a partial
   *   file) and flushes it; only once everything has rendered and validated are they all renamed into place.
   *   Any error is thrown before a file is replaced, and the partial files are removed (`outdir` too, if synth
   *   created it). A reader never sees half a file; a file whose bytes did not change is not rewritten. The
   *   set of files is not switched as one (POSIX cannot, short of renaming `outdir`): a run killed among the
   *   renames, a fraction of a millisecond, leaves some files new and some old, each whole; the marker lists
   *   them all, so the next run finishes the job.
   * - `outdir` itself is never renamed or removed, so it may be a mount point.
   *
   * The YAML is js-yaml's: the objects `app.synth()` writes, in the same files and order, quoted differently
   * (docs/synth.md). cdk8s' whole-app passes (dependency resolution, validation) run once per synth, not
   * once per chart.
   */
  public static synthesize(source: IChartSource, outdir?: string): SynthesisResult {
    const target = path.resolve(outdir ?? outputDirectoryFromEnvironment());
    const previousFiles = checkOutputDirectory(target);
    // Started first, so that the writer thread is up by the time the first chart has rendered.
    const partials = PartialFiles.open(target, previousFiles, partialFileName, isPartialFile);
    let names: string[];
    let written: string[];
    try {
      names = renderInto(source, partials);
      written = partials.finish();
    } catch (error) {
      partials.abort();
      throw error;
    }
    const changed = replaceFiles(target, names, written, previousFiles);
    // Plain `npx cdk8s synth` fails unless the directory it asked for exists afterwards.
    if (outdir === undefined && process.env.CDK8S_OUTDIR && isCliScratchDirectory(process.env.CDK8S_OUTDIR)) {
      fs.mkdirSync(CLI_SCRATCH_DIRECTORY, { recursive: true });
    }
    return { outdir: target, files: [OUTPUT_MARKER, ...names], changed };
  }

  private constructor() {}
}

/** What {@link AtomicSynthesis.synthesize} did. */
export interface SynthesisResult {
  /** The absolute output directory. */
  readonly outdir: string;
  /** Every file it holds now, the marker first. */
  readonly files: string[];
  /** The files written or deleted because their bytes changed; empty when the output was already current. */
  readonly changed: string[];
}

/**
 * Throws, naming the directory and the fix, unless synth may write into `outdir`: it does not exist,
 * is empty, or holds only files synth wrote there (listed in its {@link OUTPUT_MARKER}). Refuses the
 * project root and anything above it, a directory with `.git` or `package.json`, a symbolic link, and a
 * listed file replaced by a link or directory. Returns the files the marker lists.
 */
export function checkOutputDirectory(outdir: string, projectRoot: string = process.cwd()): string[] {
  const target = path.resolve(outdir);
  const refuse = (why: string, fix = 'Point CDK8S_OUTDIR (npm run synth) or -o (npx cdk8s synth) at a new or empty directory.') =>
    new Error(`Output directory ${target} ${why}. Synth writes only where it cannot destroy files it did not write. ${fix}`);

  const fromTargetToRoot = path.relative(target, path.resolve(projectRoot));
  const rootIsOutside = fromTargetToRoot === '..' || fromTargetToRoot.startsWith(`..${path.sep}`) || path.isAbsolute(fromTargetToRoot);
  if (!rootIsOutside) {
    throw refuse(`is the project root or holds it (${path.resolve(projectRoot)})`);
  }
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  if (stat.isSymbolicLink()) {
    throw refuse(`is a symbolic link to ${fs.readlinkSync(target)}, and synth never follows one`, 'Give the directory it points to instead.');
  }
  if (!stat.isDirectory()) throw refuse('is not a directory');

  const entries = fs.readdirSync(target).sort();
  for (const projectFile of ['.git', 'package.json']) {
    if (entries.includes(projectFile)) throw refuse(`holds ${projectFile}, so it is a project, not synth output`);
  }
  // Partial files are synth's own by name, even before a first run wrote its marker; the run removes them.
  if (entries.every(isPartialFile)) return [];
  if (!entries.includes(OUTPUT_MARKER)) {
    throw refuse(`holds files synth did not write (${listed(entries)}) and no ${OUTPUT_MARKER} marker`, 'Move those files out or choose a new or empty directory; if they are an older synth\'s output, delete them and run synth again.');
  }
  const managed = readMarker(target, refuse);
  const managedNames = new Set(managed);
  const foreign = entries.filter((name) => name !== OUTPUT_MARKER && !isPartialFile(name) && !managedNames.has(name));
  if (foreign.length > 0) {
    throw refuse(`holds files synth did not write: ${listed(foreign)}`, 'Move them out (synth would otherwise mix them with its output), then run it again.');
  }
  for (const name of entries.filter((entry) => entry !== OUTPUT_MARKER)) {
    if (!fs.lstatSync(path.join(target, name)).isFile()) {
      throw refuse(`holds ${name}, which is no longer a file synth wrote but a link or directory`, `Remove ${path.join(target, name)}.`);
    }
  }
  return managed;
}

function readMarker(dir: string, refuse: (why: string, fix?: string) => Error): string[] {
  const marker = path.join(dir, OUTPUT_MARKER);
  if (!fs.lstatSync(marker).isFile()) throw refuse(`has a ${OUTPUT_MARKER} that is not a file`, `Remove ${marker}.`);
  const names = fs.readFileSync(marker, 'utf8').split('\n').filter((line) => line !== '' && !line.startsWith('#'));
  const unsafe = names.filter((name) => !PLAIN_FILE_NAME.test(name) || name.startsWith(OUTPUT_MARKER));
  if (unsafe.length > 0) {
    // A name with a separator or `..` would let synth delete a file outside the directory.
    throw refuse(`has a ${OUTPUT_MARKER} listing names synth never writes (${listed(unsafe)})`, `It was edited: empty the directory or restore ${marker}.`);
  }
  return names;
}

function listed(names: string[]): string {
  const shown = names.slice(0, 5).map((name) => `'${name}'`).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

/**
 * Builds the app and renders it chart by chart, handing each chart file and each runbook to `files` (written as
 * partial files while the next chart renders); returns every file name, sorted. Throws on any error, before
 * anything has been renamed into place.
 */
function renderInto(source: IChartSource, files: PartialFiles): string[] {
  const app = new App({ recordConstructMetadata: false });
  source.addCharts(app);
  const names = new Set<string>();
  // Each workload with patterns goes to the writer thread as soon as it renders, with its runbook (written
  // from that manifest: rendering each workload again for its runbook cost three renders a workload), so
  // that its YAML is made and its files written while the rest of its chart renders.
  const runbooks = new Map<PodComposition, string>();
  const stopObserving = observeRenders((manifest, declarations) => {
    files.addObject(manifest);
    const composition = PodComposition.of(declarations.host.apiObject);
    if (!composition || runbooks.has(composition)) return;
    const name = runbookFileName(composition, manifest);
    runbooks.set(composition, name);
    // A name taken twice is an error reported below, once every composition is known.
    if (names.has(name)) return;
    files.addText(name, renderRunbook(composition, manifest));
    names.add(name);
  });
  try {
    for (const { fileName, objects } of chartFiles(app)) {
      if (fileName === undefined) continue;
      files.addManifests(fileName, objects);
      names.add(fileName);
    }
  } finally {
    stopObserving();
  }
  const runbookOwners = new Map<string, string>();
  for (const composition of PodComposition.findAll(app)) {
    const runbook = runbooks.get(composition);
    // Every workload is in a chart: a composition without a runbook means its manifest was not recognized.
    if (!runbook) throw new Error(`[${composition.workload.node.path}] was not rendered by its chart. This is a bug: report it.`);
    const workloadPath = composition.workload.node.path;
    const taken = runbookOwners.get(runbook);
    if (taken !== undefined) {
      throw new Error(
        `[${workloadPath}] its runbook file name '${runbook}' is also the one of [${taken}]. ` +
          'Give one of the two workloads another name or namespace.',
      );
    }
    runbookOwners.set(runbook, workloadPath);
  }
  return [...names].sort();
}

/**
 * What `app.synth()` writes, chart by chart as each renders: each chart's objects and the file cdk8s names for
 * it (`<chart>.k8s.yaml`, numbered `0000-<chart>.k8s.yaml` in dependency order once charts depend on each
 * other), or no file name for a chart whose file a later chart of the same name replaces (as in `app.synth()`).
 * test/output/synthesize.test.ts holds it to `app.synth()`.
 *
 * cdk8s' `chart.toJson()` resolves the whole app's dependencies and validates the whole app before it renders
 * the chart's objects, so `app.synth()` walks every construct twice per chart: with a chart per 500 workloads
 * that grows as the square of the app (21 walks of 60,000 constructs at 10,000 workloads, a quarter of the
 * time). Synth does what `toJson()` does with cdk8s' public API, the two passes once: {@link resolveDependencies}
 * and {@link validateApp} as cdk8s 2.70 has them, then each chart's objects in dependency order. A chart class
 * with a `toJson` of its own is rendered by it, as cdk8s would (the passes then run for each chart again).
 */
export function* chartFiles(app: App): Generator<{ fileName: string | undefined; objects: unknown[] }> {
  const cache = new FindAllCache();
  const allCharts = cache.findAll(app).filter((construct): construct is Chart => construct instanceof Chart);
  if (allCharts.length === 0) return;
  const ownToJson = allCharts.some((chart) => chart.toJson !== Chart.prototype.toJson);
  const numbered = resolveDependencies(app, cache);
  validateApp(app, cache);
  const charts = app.charts;
  const fileNames = charts.map((chart, index) => `${numbered ? `${String(index).padStart(4, '0')}-` : ''}${Names.toDnsLabel(chart)}${app.outputFileExtension}`);
  const lastOfName = new Map(fileNames.map((name, index) => [name, index]));
  for (const [index, chart] of charts.entries()) {
    const fileName = lastOfName.get(fileNames[index]) === index ? fileNames[index] : undefined;
    yield { fileName, objects: ownToJson ? chart.toJson() : chartObjects(chart) };
  }
}

/** cdk8s' per-synth cache of `node.findAll()`. */
class FindAllCache {
  private readonly found = new Map<IConstruct, IConstruct[]>();

  public findAll(construct: IConstruct): IConstruct[] {
    let all = this.found.get(construct);
    if (all === undefined) {
      all = construct.node.findAll();
      this.found.set(construct, all);
    }
    return all;
  }
}

/**
 * cdk8s' `resolveDependencies` (app.ts, 2.70): a nested chart becomes a dependency of its parent, a construct's
 * dependency on a construct in another chart becomes one between the charts, and each becomes one between the
 * API objects under them. True if charts depend on each other (cdk8s then numbers their files).
 */
function resolveDependencies(app: App, cache: FindAllCache): boolean {
  let dependantCharts = false;
  for (const parent of cache.findAll(app).filter((construct) => construct instanceof Chart)) {
    for (const child of parent.node.children.filter((construct) => construct instanceof Chart)) {
      parent.node.addDependency(child);
      dependantCharts = true;
    }
  }
  for (const { source, target } of constructDependencies(app, cache)) {
    const [sourceChart, targetChart] = [Chart.of(source), Chart.of(target)];
    if (sourceChart !== targetChart) {
      sourceChart.node.addDependency(targetChart);
      dependantCharts = true;
    }
  }
  for (const { source, target } of constructDependencies(app, cache)) {
    const [sourceChart, targetChart] = [Chart.of(source), Chart.of(target)];
    const apiObjectsOf = (construct: IConstruct, chart: Chart) =>
      cache.findAll(construct).filter((found) => found instanceof ApiObject && Chart.of(found) === chart);
    const targetObjects = apiObjectsOf(target, targetChart);
    for (const sourceObject of apiObjectsOf(source, sourceChart)) {
      for (const targetObject of targetObjects) if (targetObject !== sourceObject) sourceObject.node.addDependency(targetObject);
    }
  }
  return dependantCharts;
}

function constructDependencies(app: App, cache: FindAllCache): { source: IConstruct; target: IConstruct }[] {
  return cache.findAll(app).flatMap((source) => source.node.dependencies.map((target) => ({ source, target })));
}

/** cdk8s' `validate` (app.ts, 2.70): every construct's validations, all errors in one. */
function validateApp(app: App, cache: FindAllCache): void {
  const errors = cache.findAll(app).flatMap((construct) => construct.node.validate().map((error) => `[${construct.node.path}] ${error}`));
  if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
}

/** cdk8s' `chartToKube` (app.ts, 2.70), rendered: the chart's own API objects in dependency order, as JSON. */
function chartObjects(chart: Chart): unknown[] {
  return new DependencyGraph(chart.node)
    .topology()
    .filter((construct) => construct instanceof ApiObject && Chart.of(construct) === chart)
    .map((apiObject) => (apiObject as ApiObject).toJson());
}

/**
 * Makes `dir` hold exactly `names` (plus the marker), touching only files the marker lists, once every changed
 * file (`written`) is whole and flushed as a partial file beside its final name: renames them all into place,
 * then deletes the files of `previousFiles` the app no longer makes. A kill before the renames leaves the
 * previous files as they were (plus partial files, which the next run removes); only a kill among the renames,
 * a fraction of a millisecond, leaves old and new files mixed. The marker lists old and new names before the
 * first rename, so nothing is ever taken for a foreign file.
 */
function replaceFiles(dir: string, names: string[], written: string[], previousFiles: string[]): string[] {
  const kept = new Set(names);
  const changed = [...written];
  try {
    replaceIfChanged(dir, OUTPUT_MARKER, markerText([...new Set([...previousFiles, ...names])].sort()));
  } catch (error) {
    // A full disk, say: no file has been replaced yet, so leave the directory exactly as it was.
    for (const name of written) fs.rmSync(path.join(dir, partialFileName(name)), { force: true });
    throw error;
  }
  for (const name of changed) fs.renameSync(path.join(dir, partialFileName(name)), path.join(dir, name));
  for (const stale of previousFiles.filter((name) => !kept.has(name))) {
    fs.rmSync(path.join(dir, stale), { force: true });
    changed.push(stale);
  }
  if (replaceIfChanged(dir, OUTPUT_MARKER, markerText(names))) changed.push(OUTPUT_MARKER);
  flushDirectory(dir);
  return changed;
}

function markerText(names: string[]): Buffer {
  return Buffer.from([MARKER_HEADER, ...names, ''].join('\n'));
}

function holds(dir: string, name: string, data: Buffer): boolean {
  const file = path.join(dir, name);
  return fs.existsSync(file) && fs.readFileSync(file).equals(data);
}

/** Named so that neither synth nor `kubectl apply -f` (which reads *.yaml) takes it for output. */
function isPartialFile(name: string): boolean {
  return name.startsWith(PARTIAL_PREFIX) && name.endsWith(PARTIAL_SUFFIX);
}

/** The partial file `name` is written as, beside it, before it is renamed into place. */
function partialFileName(name: string): string {
  return `${PARTIAL_PREFIX}${name}${PARTIAL_SUFFIX}`;
}

/** Writes `data` whole and flushed to a partial file beside `dir/name`; returns its path. */
function writePartial(dir: string, name: string, data: Buffer): string {
  const partial = path.join(dir, partialFileName(name));
  // 'wx': fails rather than writing through anything already at that name.
  const fd = fs.openSync(partial, 'wx');
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(partial, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  return partial;
}

/** Replaces `dir/name` with `data` in one rename, unless it already holds exactly that; true if it wrote. */
function replaceIfChanged(dir: string, name: string, data: Buffer): boolean {
  if (holds(dir, name, data)) return false;
  fs.renameSync(writePartial(dir, name, data), path.join(dir, name));
  return true;
}

/** Makes the renames durable; a no-op where directories cannot be opened for it. */
function flushDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the files themselves are flushed already.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
