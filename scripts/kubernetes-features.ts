// `npm run features`: the feature table and the newest Kubernetes schema, read from upstream's own source.
//   node --import tsx scripts/kubernetes-features.ts
// Gets the pinned k8s.io/kubernetes module from the Go module proxy (`go mod download`, ~100 MB once, then
// from the Go module cache) and writes, from it:
// - lib/kubernetes/feature-gates.generated.ts: for each gate below, its KEP, the first minor version from
//   which it is on by default and its stages, from the versioned specs in pkg/features/kube_features.go
//   (`{Version: version.MustParse("1.35"), Default: true, PreRelease: featuregate.Beta}`). A gate removed
//   from the list after GA is read from the older module pinned for it.
// - docs/lifecycle.md's feature table, between its markers, from the library's FEATURE_HISTORY.
// - schemas/kubernetes-1.NN.json: the definitions of api/openapi-spec/swagger.json, made into JSON schema
//   as cdk8s' `tools/import-spec.sh` (openapi2jsonschema --kubernetes) makes the schemas/ next to it: this
//   same code turns v1.27.0's and v1.29.0's swagger.json into the vendored 1.27 and 1.29 files byte for byte.
// CI (.ci/run) runs it and fails when the committed files differ. Prints one line, or go's error.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The k8s.io/kubernetes release the table and the schema come from: the one place it is pinned. */
const KUBERNETES = 'v1.37.2';
/** The last release that still lists SidecarContainers (GA 1.33, removed in 1.36) and PodLifecycleSleepAction (GA 1.34, removed in 1.37). */
const KUBERNETES_FOR_REMOVED_GATES = 'v1.35.4';

/**
 * The gates the library knows (lib/kubernetes/kubernetes-target.ts maps each KubernetesFeature to one).
 * `kep` only where kube_features.go names no KEP for the gate; a KEP it names must agree.
 */
const GATES: { gate: string; kep?: number }[] = [
  { gate: 'SidecarContainers' },
  { gate: 'PodLifecycleSleepAction' },
  { gate: 'PodLevelResources' },
  { gate: 'ContainerRestartRules' },
  { gate: 'EnvFiles' },
  { gate: 'ImageVolume' },
  { gate: 'RestartAllContainersOnContainerExits' },
  { gate: 'InPlacePodVerticalScaling' },
  // Its comment names an owner only; it is part of in-place resize, KEP-1287.
  { gate: 'InPlacePodVerticalScalingInitContainers', kep: 1287 },
  { gate: 'InPlacePodLevelResourcesVerticalScaling' },
];

const ROOT = path.join(__dirname, '..');
const GENERATED = path.join(ROOT, 'lib', 'kubernetes', 'feature-gates.generated.ts');
const LIFECYCLE_DOC = path.join(ROOT, 'docs', 'lifecycle.md');
const TABLE_BEGIN = '<!-- feature table: written by npm run features -->';
const TABLE_END = '<!-- end of feature table -->';

interface Spec {
  minor: number;
  default: boolean;
  preRelease: 'Alpha' | 'Beta' | 'GA' | 'Deprecated';
  lockToDefault: boolean;
}

interface Gate {
  gate: string;
  kep: number;
  firstMinor: number;
  lockedFrom?: number;
  stages: string;
  readFrom: string;
}

function fail(message: string): never {
  console.error(`npm run features: ${message}`);
  process.exit(1);
}

/** The extracted module's directory, downloaded into the Go module cache when it is not there yet. */
function moduleDir(version: string): string {
  let output: string;
  try {
    // Outside any Go module or workspace, so only the module asked for is fetched; stdout is go's JSON.
    output = execFileSync('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${version}`], {
      cwd: os.tmpdir(),
      env: { ...process.env, GOWORK: 'off', GOFLAGS: '', GOTOOLCHAIN: 'local' },
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 16 * 1024 * 1024,
    }).toString();
  } catch (error) {
    const e = error as { code?: string; stdout?: Buffer; stderr?: Buffer };
    if (e.code === 'ENOENT') fail('needs Go on PATH (go mod download fetches k8s.io/kubernetes from the Go module proxy)');
    const said = `${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`.trim();
    fail(`go mod download k8s.io/kubernetes@${version} failed:\n${said}`);
  }
  const { Dir, Error: problem } = JSON.parse(output) as { Dir?: string; Error?: string };
  if (problem || !Dir) fail(`go mod download k8s.io/kubernetes@${version}: ${problem ?? 'no Dir in its output'}`);
  return Dir;
}

/** The versioned specs and KEPs of every gate in one kube_features.go. */
function readFeatureGates(file: string): Map<string, { specs: Spec[]; kep?: number }> {
  const text = fs.readFileSync(file, 'utf8');
  const gates = new Map<string, { specs: Spec[]; kep?: number }>();
  // Each gate's const, `Name featuregate.Feature = "Name"` (the Go name may differ from the gate's), and its
  // KEP: `// kep: https://kep.k8s.io/2837` (or `key:`, or a link into kubernetes/enhancements) in the comment above.
  const consts = new Map<string, { gate: string; kep?: number }>();
  for (const match of text.matchAll(/((?:^\t\/\/.*\n)*)^\t(\w+) featuregate\.Feature = "(\w+)"$/gm)) {
    const kep = /kep\.k8s\.io\/(\d+)|\/keps\/[\w-]+\/(\d+)-/.exec(match[1]);
    consts.set(match[2], { gate: match[3], kep: kep ? Number(kep[1] ?? kep[2]) : undefined });
  }
  const start = text.indexOf('var defaultVersionedKubernetesFeatureGates = map[featuregate.Feature]featuregate.VersionedSpecs{');
  if (start < 0) fail(`${file} has no defaultVersionedKubernetesFeatureGates`);
  const block = text.slice(start, text.indexOf('\n}\n', start));
  for (const match of block.matchAll(/^\t(\w+): \{\n((?:\t\t.*\n)*?)\t\},?$/gm)) {
    const specs = match[2]
      .split('\n')
      .map((line) => line.replace(/\/\/.*$/, '').trim())
      .filter((line) => line.startsWith('{'))
      .map((line) => parseSpec(line, `${file}: ${match[1]}`));
    const declared = consts.get(match[1]);
    if (declared) gates.set(declared.gate, { specs, kep: declared.kep });
  }
  return gates;
}

/** `{Version: version.MustParse("1.35"), Default: true, PreRelease: featuregate.Beta, LockToDefault: true}`, fields in any order. */
function parseSpec(line: string, where: string): Spec {
  const version = /(?<![A-Za-z])Version:\s*version\.MustParse\("1\.(\d+)"\)/.exec(line);
  const preRelease = /\bPreRelease:\s*featuregate\.(\w+)/.exec(line);
  const defaultValue = /\bDefault:\s*(true|false)/.exec(line);
  if (!version || !preRelease || !defaultValue) fail(`${where}: cannot read the spec ${line}`);
  if (!['Alpha', 'Beta', 'GA', 'Deprecated'].includes(preRelease[1])) fail(`${where}: unknown stage ${preRelease[1]}`);
  return {
    minor: Number(version[1]),
    default: defaultValue[1] === 'true',
    preRelease: preRelease[1] as Spec['preRelease'],
    lockToDefault: /\bLockToDefault:\s*true\b/.test(line),
  };
}

/** 'alpha 1.31, beta (off) 1.33, beta (on) 1.35, GA 1.36': betas say whether they are on by default; alpha off and GA on otherwise. */
function stagesOf(specs: Spec[]): string {
  return specs
    .map((s) => {
      const usual = (s.preRelease === 'Alpha' && !s.default) || (s.preRelease === 'GA' && s.default);
      const name = { Alpha: 'alpha', Beta: 'beta', GA: 'GA', Deprecated: 'deprecated' }[s.preRelease];
      return `${name}${usual ? '' : s.default ? ' (on)' : ' (off)'} 1.${s.minor}`;
    })
    .join(', ');
}

function gateHistory(name: string, handKep: number | undefined, read: { specs: Spec[]; kep?: number }, readFrom: string): Gate {
  const { specs } = read;
  if (specs.length === 0) fail(`${name} in k8s.io/kubernetes@${readFrom} has no versioned specs`);
  for (let i = 1; i < specs.length; i++) {
    if (specs[i].minor <= specs[i - 1].minor) fail(`${name} in k8s.io/kubernetes@${readFrom}: its specs are not in version order`);
  }
  // On by default from the first spec of the last run of specs that are on.
  let first = specs.length;
  while (first > 0 && specs[first - 1].default) first--;
  if (first === specs.length) fail(`${name} is not on by default in k8s.io/kubernetes@${readFrom}: no target can use it`);
  if (read.kep !== undefined && handKep !== undefined && read.kep !== handKep) {
    fail(`${name}: kube_features.go names KEP-${read.kep}, scripts/kubernetes-features.ts says KEP-${handKep}`);
  }
  const kep = read.kep ?? handKep;
  if (kep === undefined) fail(`${name}: kube_features.go names no KEP; give it in GATES in scripts/kubernetes-features.ts`);
  const locked = specs.find((s) => s.lockToDefault);
  return { gate: name, kep, firstMinor: specs[first].minor, lockedFrom: locked?.minor, stages: stagesOf(specs), readFrom };
}

function featureGates(): Gate[] {
  const newest = readFeatureGates(path.join(moduleDir(KUBERNETES), 'pkg', 'features', 'kube_features.go'));
  let older: Map<string, { specs: Spec[]; kep?: number }> | undefined;
  return GATES.map(({ gate, kep }) => {
    if (newest.has(gate)) return gateHistory(gate, kep, newest.get(gate)!, KUBERNETES);
    older ??= readFeatureGates(path.join(moduleDir(KUBERNETES_FOR_REMOVED_GATES), 'pkg', 'features', 'kube_features.go'));
    if (!older.has(gate)) fail(`${gate} is in neither k8s.io/kubernetes@${KUBERNETES} nor @${KUBERNETES_FOR_REMOVED_GATES}`);
    return gateHistory(gate, kep, older.get(gate)!, KUBERNETES_FOR_REMOVED_GATES);
  });
}

function generatedFile(gates: Gate[]): string {
  const removed = gates.filter((g) => g.readFrom !== KUBERNETES).map((g) => g.gate);
  const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const rows = gates.map((g) =>
    [
      `  ${g.gate}: {`,
      `    gate: ${q(g.gate)},`,
      `    kep: ${g.kep},`,
      `    firstMinor: ${g.firstMinor},`,
      ...(g.lockedFrom === undefined ? [] : [`    lockedFrom: ${g.lockedFrom},`]),
      `    stages: ${q(g.stages)},`,
      `    readFrom: ${q(`k8s.io/kubernetes@${g.readFrom}`)},`,
      '  },',
    ].join('\n'),
  );
  return `// Generated by \`npm run features\` (scripts/kubernetes-features.ts). Do not edit: change the script and run it.
// Read from pkg/features/kube_features.go of k8s.io/kubernetes@${KUBERNETES}${removed.length ? `; ${removed.join(' and ')}, no longer
// listed there, from k8s.io/kubernetes@${KUBERNETES_FOR_REMOVED_GATES}` : ''}. CI (.ci/run) fails when this file is not what the script writes.

import type { UpstreamFeatureGate } from './upstream-feature-gate';

/** The k8s.io/kubernetes release the feature table and the newest schema in schemas/ come from. */
export const UPSTREAM_KUBERNETES = ${q(`k8s.io/kubernetes@${KUBERNETES}`)};

/** The gates the library knows, by name. */
export const FEATURE_GATES = {
${rows.join('\n')}
} satisfies Record<string, UpstreamFeatureGate>;
`;
}

/**
 * swagger.json's definitions as JSON schema, the way openapi2jsonschema --kubernetes writes its
 * _definitions.json: IntOrString and Quantity as a oneOf that takes a number too, each kind's `kind`
 * property an enum of its kinds, two-space indent, non-ASCII characters escaped, no final newline.
 */
function jsonSchemaOf(swaggerFile: string): string {
  const { definitions } = JSON.parse(fs.readFileSync(swaggerFile, 'utf8')) as { definitions: Record<string, Record<string, unknown>> };
  definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { oneOf: [{ type: 'string' }, { type: 'number' }] };
  for (const definition of Object.values(definitions)) {
    const kind = (definition.properties as Record<string, { enum?: string[] }> | undefined)?.kind;
    for (const gvk of (definition['x-kubernetes-group-version-kind'] ?? []) as { kind: string }[]) {
      if (!kind) continue;
      kind.enum ??= [];
      if (!kind.enum.includes(gvk.kind)) kind.enum.push(gvk.kind);
    }
  }
  return JSON.stringify({ definitions }, null, 2).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function writeIfChanged(file: string, text: string): boolean {
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) return false;
  fs.writeFileSync(file, text);
  return true;
}

/**
 * docs/lifecycle.md's feature table, between its markers, from FEATURE_HISTORY as the library builds it
 * from the file just written (loaded after writing it, so the table is never a run behind).
 */
async function lifecycleDoc(gates: Gate[]): Promise<string> {
  const { FEATURE_HISTORY } = await import('../lib/kubernetes/kubernetes-target');
  const text = fs.readFileSync(LIFECYCLE_DOC, 'utf8');
  const [begin, end] = [text.indexOf(TABLE_BEGIN), text.indexOf(TABLE_END)];
  if (begin < 0 || end < begin) fail(`${path.relative(ROOT, LIFECYCLE_DOC)} has lost its markers ${TABLE_BEGIN} and ${TABLE_END}`);
  const rows = FEATURE_HISTORY.map((f) => `| ${f.feature} | 1.${f.firstMinor} | ${f.stages} | ${f.source} |`);
  const removed = gates.filter((g) => g.readFrom !== KUBERNETES).map((g) => g.gate);
  const table = [
    '| feature | first on by default | stages | source |',
    '|---|---|---|---|',
    ...rows,
    '',
    `Read from \`k8s.io/kubernetes@${KUBERNETES}\`${removed.length ? `; ${removed.join(' and ')}, removed from it after GA, from \`@${KUBERNETES_FOR_REMOVED_GATES}\`` : ''}.`,
  ].join('\n');
  return `${text.slice(0, begin + TABLE_BEGIN.length)}\n${table}\n${text.slice(end)}`;
}

async function main(): Promise<void> {
  const gates = featureGates();
  const schema = path.join(ROOT, 'schemas', `kubernetes-${KUBERNETES.replace(/^v(\d+\.\d+)\..*$/, '$1')}.json`);
  const changed = [
    writeIfChanged(GENERATED, generatedFile(gates)) && GENERATED,
    writeIfChanged(schema, jsonSchemaOf(path.join(moduleDir(KUBERNETES), 'api', 'openapi-spec', 'swagger.json'))) && schema,
    writeIfChanged(LIFECYCLE_DOC, await lifecycleDoc(gates)) && LIFECYCLE_DOC,
  ].filter((f): f is string => Boolean(f));
  const files = [GENERATED, schema, LIFECYCLE_DOC].map((f) => path.relative(ROOT, f));
  const said = changed.length ? `wrote ${changed.map((f) => path.relative(ROOT, f)).join(', ')}` : `${files.join(', ')} unchanged`;
  console.log(`npm run features: ${said} (k8s.io/kubernetes@${KUBERNETES}, ${gates.length} gates)`);
}

main().catch((error) => fail(String(error?.stack ?? error)));
