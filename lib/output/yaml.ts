import * as jsYaml from 'js-yaml';

/**
 * How synth writes YAML: js-yaml 4's `dump`, about 4× faster than the `yaml` package cdk8s' `Yaml.stringify`
 * uses, configured so every file parses to the same objects (test/output/yaml.test.ts, on the examples and
 * on generated values, with `yaml` in YAML 1.1 and 1.2 and with js-yaml):
 * - `noRefs`: an object the manifests share is written out at each place, never as an anchor and alias;
 * - `lineWidth: -1`: no line folding, as cdk8s' `lineWidth: 0`; multi-line strings are literal blocks;
 * - a string YAML 1.1 reads as something else is quoted, as `yaml` quotes it in the YAML 1.1 mode cdk8s
 *   writes: js-yaml's compat mode quotes `yes`, `on`, `1:20` and the like, and an implicit type added to its
 *   schema (`yaml`'s YAML 1.1 scalar patterns: `1_000`, `0b1_0`, `.`, timestamps, ...) the rest, so no string
 *   reads as a number, boolean, null or date;
 * - an undefined value as null, as `yaml` writes it with cdk8s' `keepUndefined` (js-yaml would drop the key);
 * - a document holding a multi-line string that starts with white space or has trailing white space on a line
 *   is written with every string double-quoted: js-yaml's block scalar for it (`|2-`) is read back otherwise by
 *   `yaml` (where cdk8s' own output was sometimes wrong too: `" \n"` came back as `"\n"`);
 * - keys in the objects' own order, 2-space indentation, block sequences indented under their key.
 * The bytes differ from `Yaml.stringify`'s in the quoting only: js-yaml quotes a string starting with `-`,
 * `:` or `'` (`'-c'`) where `yaml` leaves it plain, and prefers single quotes where `yaml` uses double ones.
 *
 * Self-contained (it uses its argument and nothing else of this module), so that synth's writer thread runs
 * the very same code from its text with its own js-yaml. Returns the YAML document of one object; an
 * undefined document is an empty line, as in `Yaml.stringify`.
 */
export function yamlDocumentWriter(yaml: typeof jsYaml): (object: unknown) => string {
  // The plain scalars `yaml` resolves to something else than a string in YAML 1.1 (its schema/yaml-1.1 tests).
  const yaml11NonString = new RegExp(
    [
      '^(?:~|[Nn]ull|NULL)?$',
      '^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON|N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$',
      '^(?:[-+]?\\.(?:inf|Inf|INF)|\\.nan|\\.NaN|\\.NAN)$',
      '^[-+]?(?:[0-9][0-9_]*)?(?:\\.[0-9_]*)?[eE][-+]?[0-9]+$',
      '^[-+]?(?:[0-9][0-9_]*)?\\.[0-9_]*$',
      '^[-+]?0b[0-1_]+$',
      '^[-+]?0[0-7_]+$',
      '^[-+]?[0-9][0-9_]*$',
      '^[-+]?0x[0-9a-fA-F_]+$',
      '^<<$',
      '^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\\.[0-9_]*)?$',
      '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:t|T|[ \\t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\\.[0-9]+)?(?:[ \\t]*(?:Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?$',
    ].join('|'),
  );
  // Only ever consulted to decide quoting: it matches no JavaScript value, so nothing is written with its tag.
  const yaml11 = new yaml.Type('tag:yaml.org,2002:yaml-1.1-non-string', { kind: 'scalar', resolve: (data: string) => yaml11NonString.test(data) });
  // A multi-line string js-yaml would write as a block scalar that `yaml` reads back otherwise (a leading space or
  // line break, which needs an indentation indicator, or trailing white space): its document is written again
  // with every string double-quoted, which every parser reads back exactly.
  const ambiguousBlock = /^\s|[ \t]\n|[ \t]$/;
  let quoteAll = false;
  const options: jsYaml.DumpOptions = {
    schema: yaml.DEFAULT_SCHEMA.extend({ implicit: [yaml11] }),
    noRefs: true,
    lineWidth: -1,
    replacer: (_key, value) => {
      if (value === undefined) return null;
      if (typeof value === 'string' && value.includes('\n') && ambiguousBlock.test(value)) quoteAll = true;
      return value;
    },
  };
  const quoted: jsYaml.DumpOptions = { ...options, forceQuotes: true, quotingType: '"' };
  return (object) => {
    if (object === undefined) return '\n';
    quoteAll = false;
    const text = yaml.dump(object, options);
    return quoteAll ? yaml.dump(object, quoted) : text;
  };
}

const yamlDocument = yamlDocumentWriter(jsYaml);

/**
 * Objects as one multi-document YAML file, documents separated as cdk8s' `Yaml.stringify(...docs)` separates
 * them (`---` before each but the first).
 */
export function manifestsToYaml(objects: readonly unknown[]): string {
  return objects.map(yamlDocument).join('---\n');
}
