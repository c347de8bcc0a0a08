// Runs kube-score and checkov on dist/*.k8s.yaml and checks every finding against the allow-list
// test/linters-allowed.json, where each is listed with the reason it stays or the fix it waits for
// (docs/linters.md). Run through scripts/lint-dist.sh, which installs the linters first.
//
//   node --import tsx scripts/lint-dist.ts [--strict] [--keys] [DIR]
//
// DIR (default dist/) is the directory whose *.k8s.yaml files are linted, e.g. a fresh synth.
// Fails when a finding is not listed. Reports the allow-list entries no finding matches any more
// (fixed, or an object renamed); --strict fails on those too. --keys prints every finding's key,
// for pasting into the allow-list. Exit codes: 0 clean, 1 unlisted (or, with --strict, stale)
// entries, 2 the linters are missing or failed.
import * as fs from 'fs';
import * as path from 'path';
import { countByCheck, describeFindings, Finding, lintFiles, missingLinters } from '../test/support/linters';

const ROOT = path.resolve(__dirname, '..');
const ALLOW_LIST = path.join(ROOT, 'test', 'linters-allowed.json');

/** A group of allowed findings sharing one reason. */
interface AllowedGroup {
  /** A few words naming the group, as the summary prints it. */
  title: string;
  /** Why these findings stay, or what fixes them. */
  reason: string;
  /** `stays`: kept on purpose; `to fix`: a known finding whose fix is pending (the entry goes stale when it lands). */
  status: 'stays' | 'to fix';
  /** Finding keys (test/support/linters.ts); `*` matches any run of characters. */
  findings: string[];
}

interface AllowList {
  groups: AllowedGroup[];
}

function pattern(entry: string): RegExp {
  return new RegExp(`^${entry.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const strict = args.includes('--strict');
  const missing = missingLinters();
  if (missing.length > 0) {
    console.error(`lint-dist: ${missing.join(' and ')} not installed. Run scripts/install-linters.sh.`);
    return 2;
  }
  const dist = path.resolve(args.find((a) => !a.startsWith('--')) ?? path.join(ROOT, 'dist'));
  const files = fs.readdirSync(dist).filter((f) => f.endsWith('.k8s.yaml')).sort().map((f) => path.join(dist, f));
  const findings = await lintFiles(files);
  if (args.includes('--keys')) {
    for (const f of findings) console.log(f.key);
    return 0;
  }

  const allowList = JSON.parse(fs.readFileSync(ALLOW_LIST, 'utf8')) as AllowList;
  // Each finding is claimed by the first entry that matches it, in the file's order, so a narrow
  // group (the demo pod) can come before a wide one (`checkov CKV_K8S_21 *`).
  const entries = allowList.groups.flatMap((group) => group.findings.map((entry) => ({ group, entry, regex: pattern(entry), claimed: 0 })));
  const unlisted: Finding[] = [];
  const byGroup = new Map<AllowedGroup, number>();
  for (const finding of findings) {
    const entry = entries.find((e) => e.regex.test(finding.key));
    if (!entry) {
      unlisted.push(finding);
      continue;
    }
    entry.claimed++;
    byGroup.set(entry.group, (byGroup.get(entry.group) ?? 0) + 1);
  }
  const stale = entries.filter((e) => e.claimed === 0);

  const where = `${path.relative(ROOT, dist) || '.'}/`;
  console.log(`lint-dist: kube-score and checkov on ${files.length} files in ${where}: ${findings.length} findings`);
  for (const [check, count] of Object.entries(countByCheck(findings))) console.log(`  ${String(count).padStart(4)}  ${check}`);
  console.log('by reason (test/linters-allowed.json, docs/linters.md):');
  for (const group of allowList.groups) console.log(`  ${String(byGroup.get(group) ?? 0).padStart(4)}  [${group.status}] ${group.title}`);

  if (stale.length > 0) {
    console.log(`\nlint-dist: ${stale.length} allow-list entries match no finding any more (fixed, or the object renamed). Remove them from test/linters-allowed.json and docs/linters.md:`);
    for (const e of stale) console.log(`  ${e.entry}    (${e.group.title})`);
  }
  if (unlisted.length > 0) {
    console.error(
      `\nlint-dist: ${unlisted.length} findings on ${where} are not in test/linters-allowed.json. Fix each, or list its key there with the reason it stays (and say so in docs/linters.md):`,
    );
    for (const line of describeFindings(unlisted)) console.error(`  ${line}`);
    console.error('Keys to list:');
    for (const f of unlisted) console.error(`  ${JSON.stringify(f.key)},`);
  }
  if (unlisted.length > 0 || (strict && stale.length > 0)) return 1;
  console.log(`\nlint-dist: every finding is listed${stale.length > 0 ? ' (some entries are stale, see above)' : ''}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`lint-dist: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
