import { isDeepStrictEqual } from 'util';
import { App, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import { loadAll } from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { addExampleCharts } from '../../lib/examples';
import { manifestsToYaml } from '../../lib/output/yaml';

/**
 * What synth's YAML parses to, by the parsers that read it: `yaml` in YAML 1.1 (what cdk8s writes for) and 1.2,
 * and js-yaml. Each must read synth's bytes (js-yaml's `dump`) as it reads what cdk8s' `Yaml.stringify` writes.
 */
const PARSERS: Record<string, (text: string) => unknown[]> = {
  'yaml, YAML 1.1': (text) => parseAllDocuments(text, { version: '1.1' }).map((doc) => doc.toJSON()),
  'yaml, YAML 1.2': (text) => parseAllDocuments(text, { version: '1.2' }).map((doc) => doc.toJSON()),
  'js-yaml': (text) => loadAll(text),
};

/** `objects` as a parser should give them back: an undefined value is null, as cdk8s writes it. */
function asWritten(value: unknown): unknown {
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(asWritten);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asWritten(v)]));
  return value;
}

/** What `parse` reads in `text`, or the error it throws. */
function attempt(parse: (text: string) => unknown[], text: string): unknown {
  try {
    return parse(text);
  } catch (error) {
    return error;
  }
}

/**
 * Each parser reads synth's YAML as it reads cdk8s' YAML of the same objects, or, where it misreads cdk8s' (its
 * `0o17` is an integer in YAML 1.2, its plain `<<` key a merge in YAML 1.1), as the objects themselves.
 */
function expectSameObjects(objects: unknown[]): void {
  const ours = manifestsToYaml(objects);
  const cdk8s = Yaml.stringify(...objects);
  for (const [parser, parse] of Object.entries(PARSERS)) {
    const read = parse(ours);
    if (!isDeepStrictEqual(read, attempt(parse, cdk8s))) expect([parser, read]).toStrictEqual([parser, asWritten(objects)]);
  }
}

/** Strings a YAML parser may read as something else unless quoted, and the characters that make quoting hard. */
const TRICKY = [
  '', ' ', 'yes', 'No', 'ON', 'off', 'y', 'n', 'Y', 'true', 'False', 'null', 'Null', '~', '0775', '0o17', '0x1F', '0b101', '1_000', '1:20', '1:20:30.5',
  '.5', '1.', '1e3', '1e+21', '-0', '+12', '.inf', '-.Inf', '.NaN', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '<<', '=', '-', '--', '---', '...',
  '-c', '- x', ':2328 00000000:0000 0A', ':x', 'a:b', 'a: b', 'a #b', '#x', '@x', '`x', '!x', '&x', '*x', '|', '>', '%x', '?', '? x', '[x]', '{x}',
  '"x"', "'x'", 'x ', ' x', 'a\nb', 'a \nb', 'a\n', 'a\n\n', '\nb', ' a\nb', '\ta', 'a\tb', 'é', '日本', '🙂', '\u0085', '\u2028', '\u0007', '\ufeffx',
  'busybox:1.36', 'sh', 'echo ok > "$HANDOFF_DIR/ready"', "trap 'exit 0' TERM\nwait $!",
];
const CHARS = ['a', 'b', '0', '1', ' ', '\n', '\t', '\r', ':', '#', '-', '"', "'", '\\', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', '%', '@', '`', '?', '.', 'é', '🙂'];
const tricky = fc.oneof(fc.constantFrom(...TRICKY), fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 12 }));
const scalar = fc.oneof(tricky, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(tricky, fc.oneof(tie('value'), fc.constant(undefined)), { maxKeys: 4 }),
  ),
}));

describe('manifestsToYaml (js-yaml, as synth writes files)', () => {
  test('every chart of the examples (dist/) parses to the objects cdk8s\' Yaml.stringify writes, by each parser', () => {
    const app = new App({ recordConstructMetadata: false });
    addExampleCharts(app);
    for (const chart of app.charts) expectSameObjects(chart.toJson());
  });

  test('property: any JSON value with strings YAML could misread parses to what cdk8s\' Yaml.stringify gives, by each parser', () => {
    fc.assert(
      // Documents are objects, as Kubernetes objects are (a bare scalar document such as `...` is not read back).
      fc.property(fc.array(fc.dictionary(tricky, value, { maxKeys: 6 }), { minLength: 1, maxLength: 3 }), (objects) => expectSameObjects(objects)),
      { numRuns: 2000 },
    );
  });

  test('quotes what YAML 1.1 would read as another type, and only differs from cdk8s\' bytes in quoting', () => {
    expect(manifestsToYaml([{ a: 'yes', b: 'on', c: '0775', d: '1:20', e: '2001-12-14', f: '-c', g: 'plain' }])).toBe(
      "a: 'yes'\nb: 'on'\nc: '0775'\nd: '1:20'\ne: '2001-12-14'\nf: '-c'\ng: plain\n",
    );
  });

  test('writes an undefined value as null and an undefined document as an empty line, as cdk8s does', () => {
    expect(manifestsToYaml([{ a: undefined, b: [1, undefined] }, undefined, { c: 1 }])).toBe(Yaml.stringify({ a: undefined, b: [1, undefined] }, undefined, { c: 1 }));
    expect(manifestsToYaml([{ a: undefined }])).toBe('a: null\n');
  });

  test('writes a document with a multi-line string that a block scalar would not carry exactly with double quotes', () => {
    expect(manifestsToYaml([{ a: '\n\n ', b: 'plain', c: ['x\ny'] }])).toBe('a: "\\n\\n "\nb: "plain"\nc:\n  - "x\\ny"\n');
    expect(manifestsToYaml([{ script: 'echo a\necho b' }])).toBe('script: |-\n  echo a\n  echo b\n');
  });

  test('writes shared objects out at each place, never as anchors, and long strings on one line', () => {
    const shared = { runAsUser: 65534 };
    const long = 'x '.repeat(100).trim();
    expect(manifestsToYaml([{ a: shared, b: shared, long }])).toBe(`a:\n  runAsUser: 65534\nb:\n  runAsUser: 65534\nlong: ${long}\n`);
  });
});
