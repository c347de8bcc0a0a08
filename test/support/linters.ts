import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments, stringify } from 'yaml';

/**
 * The field's two manifest linters, run offline on manifests, their failures as comparable records
 * (docs/linters.md). scripts/install-linters.sh installs both, pinned, into .tools/.
 *
 * What counts as a finding:
 * - kube-score (`score -o json`): every comment of a check graded CRITICAL (1) or WARNING (5) and not
 *   skipped, one finding per comment (a check of a pod comments once per container and problem, so a
 *   pod with two containers lacking ephemeral storage has four findings). ALMOST_OK (7) is not one:
 *   kube-score's own text and CI output print it as `[OK]` and exit 0 on it. kube-score's default
 *   checks only (no `--enable-optional-test`), as a user runs it.
 * - checkov (`--framework kubernetes`): every failed check, one per check and resource. checkov stops
 *   at the first failing container of a resource, so a finding names that container for the reader
 *   but its key does not: the key is the check and the resource, which is all checkov reports.
 *
 * A finding's key names the object, the check and, for kube-score, the container and the problem,
 * nothing a pattern legitimately changes (container order, volume names, line numbers, file names):
 * a finding on the user's own container that exists with and without patterns has the same key.
 */
export type Linter = 'kube-score' | 'checkov';

export interface Finding {
  readonly linter: Linter;
  /** kube-score's check id (`pod-probes`) or checkov's (`CKV_K8S_43`). */
  readonly check: string;
  /** The object: `Deployment shop/web` for kube-score; checkov's resource id (`Deployment.shop.web`) for checkov. */
  readonly object: string;
  /** The container the finding is about, when the linter names one (kube-score) or it can be told (checkov's first failing container). */
  readonly container?: string;
  /** kube-score's summary (`Ephemeral Storage limit is not set`), or checkov's check name. */
  readonly message: string;
  /** What compares equal across runs: linter, check, object, and for kube-score the container and summary. */
  readonly key: string;
}

/** A Kubernetes object as written to YAML. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = Record<string, any>;

const ROOT = path.resolve(__dirname, '..', '..');
export const KUBE_SCORE = path.join(ROOT, '.tools', 'bin', 'kube-score');
export const CHECKOV = path.join(ROOT, '.tools', 'checkov-venv', 'bin', 'checkov');

/** The linters not installed where scripts/install-linters.sh puts them, as `name (path)`; empty when both are there. */
export function missingLinters(): string[] {
  return [
    ['kube-score', KUBE_SCORE],
    ['checkov', CHECKOV],
  ]
    .filter(([, file]) => !isExecutable(file))
    .map(([name, file]) => `${name} (${path.relative(ROOT, file)})`);
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Runs both linters on each named set of manifests, each set on its own (cross-object checks see only their set). */
export async function lintSets(sets: Record<string, Manifest[]>): Promise<Record<string, Finding[]>> {
  const names = Object.keys(sets);
  const findings = await inParallel(names, (name) => lintManifests(sets[name]));
  return Object.fromEntries(names.map((name, i) => [name, findings[i]]));
}

/** Runs both linters on one set of manifests, written as one YAML file in a temporary directory. */
export async function lintManifests(manifests: Manifest[]): Promise<Finding[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linters-'));
  try {
    const file = path.join(dir, 'manifests.yaml');
    fs.writeFileSync(file, manifests.map((m) => stringify(m)).join('---\n'));
    return await lintDirectory(dir, manifests);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs both linters on YAML files together (as CI runs them on dist/*.k8s.yaml), copied into a temporary directory. */
export async function lintFiles(files: string[]): Promise<Finding[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linters-'));
  try {
    const manifests: Manifest[] = [];
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(path.join(dir, path.basename(file)), text);
      for (const doc of parseAllDocuments(text)) if (doc.contents) manifests.push(doc.toJS());
    }
    return await lintDirectory(dir, manifests);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function lintDirectory(dir: string, manifests: Manifest[]): Promise<Finding[]> {
  const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(dir, f));
  const [kubeScore, checkov] = await Promise.all([runKubeScore(files), runCheckov(dir, manifests)]);
  return sortFindings([...kubeScore, ...checkov]);
}

// kube-score -o json: one entry per object, each with every check it ran.
interface KubeScoreObject {
  type_meta: { kind: string };
  object_meta: { name: string; namespace?: string };
  checks: {
    check: { id: string };
    grade: number;
    skipped: boolean;
    comments: { path: string; summary: string }[] | null;
  }[];
}

/** kube-score's grades that are findings: CRITICAL and WARNING (ALMOST_OK, 7, prints as [OK]). */
const KUBE_SCORE_FAILING_GRADES = new Set([1, 5]);

async function runKubeScore(files: string[]): Promise<Finding[]> {
  // Exits 1 when a check is critical: the JSON on stdout is the answer either way.
  const stdout = await run(KUBE_SCORE, ['score', '-o', 'json', ...files], [0, 1]);
  const objects = JSON.parse(stdout) as KubeScoreObject[] | null;
  const findings: Finding[] = [];
  for (const o of objects ?? []) {
    const object = `${o.type_meta.kind} ${o.object_meta.namespace || 'default'}/${o.object_meta.name}`;
    for (const c of o.checks) {
      if (c.skipped || !KUBE_SCORE_FAILING_GRADES.has(c.grade)) continue;
      const comments = c.comments?.length ? c.comments : [{ path: '', summary: '' }];
      for (const { path: where, summary } of comments) {
        const container = where || undefined;
        const key = `kube-score ${c.check.id} ${object}${container ? ` container ${container}` : ''}: ${summary}`;
        findings.push({ linter: 'kube-score', check: c.check.id, object, container, message: summary, key });
      }
    }
  }
  return findings;
}

interface CheckovFailure {
  check_id: string;
  check_name: string;
  resource: string;
  check_result: { evaluated_keys?: string[] };
}

interface CheckovReport {
  results?: { failed_checks?: CheckovFailure[]; parsing_errors?: string[] };
  summary?: { failed: number; parsing_errors: number };
  failed?: number;
  parsing_errors?: number;
}

async function runCheckov(dir: string, manifests: Manifest[]): Promise<Finding[]> {
  // Exits 1 when a check fails. --skip-download: offline, no Bridgecrew/Prisma platform; --compact
  // and --quiet leave out code blocks and passed checks.
  const stdout = await run(CHECKOV, ['-d', dir, '--framework', 'kubernetes', '--skip-download', '-o', 'json', '--compact', '--quiet'], [0, 1]);
  const report = JSON.parse(stdout) as CheckovReport | CheckovReport[];
  const reports = Array.isArray(report) ? report : [report];
  const findings: Finding[] = [];
  for (const r of reports) {
    const parsingErrors = r.summary?.parsing_errors ?? r.parsing_errors ?? 0;
    if (parsingErrors) throw new Error(`checkov could not parse ${parsingErrors} file(s) in ${dir}: ${JSON.stringify(r.results?.parsing_errors)}`);
    if (!r.results && (r.failed ?? 0) > 0) throw new Error(`checkov reported ${r.failed} failures but no results: ${stdout.slice(0, 500)}`);
    for (const f of r.results?.failed_checks ?? []) {
      const container = containerAt(manifests, f.resource, f.check_result.evaluated_keys ?? []);
      findings.push({ linter: 'checkov', check: f.check_id, object: f.resource, container, message: f.check_name, key: `checkov ${f.check_id} ${f.resource}` });
    }
  }
  return findings;
}

/** The name of the container an evaluated key of checkov points at (`spec/template/spec/containers/[1]/image`), when it can be told. */
function containerAt(manifests: Manifest[], resource: string, evaluatedKeys: string[]): string | undefined {
  const match = evaluatedKeys.map((k) => /^(.*)\/(containers|initContainers)\/\[(\d+)\]/.exec(k)).find((m) => m);
  if (!match) return undefined;
  const object = manifests.find((m) => `${m.kind}.${m.metadata?.namespace ?? 'default'}.${m.metadata?.name}` === resource);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let spec: any = object;
  for (const step of match[1].split('/')) spec = spec?.[step];
  const name = spec?.[match[2]]?.[Number(match[3])]?.name;
  return typeof name === 'string' ? name : undefined;
}

/** Findings sorted by key, so that lists and their differences read the same in every run. */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * What `actual` has and `baseline` lacks (added), and the reverse (gone), finding by finding, by key;
 * a key found twice in one and once in the other counts once in the difference.
 */
export function compareFindings(baseline: Finding[], actual: Finding[]): { added: Finding[]; gone: Finding[] } {
  return { added: without(actual, baseline), gone: without(baseline, actual) };
}

/** The findings of `from` left when each finding of `remove` takes away one of the same key. */
function without(from: Finding[], remove: Finding[]): Finding[] {
  const left = new Map<string, number>();
  for (const f of remove) left.set(f.key, (left.get(f.key) ?? 0) + 1);
  return from.filter((f) => {
    const n = left.get(f.key) ?? 0;
    if (n > 0) left.set(f.key, n - 1);
    return n === 0;
  });
}

/** One finding a line: its key, and for checkov the container it stopped at. */
export function describeFindings(findings: Finding[]): string[] {
  return findings.map((f) => (f.linter === 'checkov' ? `${f.key}${f.container ? ` (container ${f.container})` : ''}: ${f.message}` : f.key));
}

/** Findings counted by linter and check, `kube-score container-ephemeral-storage-request-and-limit: 110`. */
export function countByCheck(findings: Finding[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of sortFindings(findings)) counts[`${f.linter} ${f.check}`] = (counts[`${f.linter} ${f.check}`] ?? 0) + 1;
  return counts;
}

function run(command: string, args: string[], okCodes: number[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 256 * 1024 * 1024, env: { ...process.env, LOG_LEVEL: 'ERROR' } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      if (!okCodes.includes(code)) reject(new Error(`${path.basename(command)} ${args.join(' ')} exited with ${error?.code ?? error?.message}: ${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Maps `items` through `f`, at most as many at a time as there are CPUs (checkov is a CPU-bound Python process). */
async function inParallel<T, R>(items: T[], f: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await f(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(os.cpus().length, items.length)) }, worker));
  return results;
}
