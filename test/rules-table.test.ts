import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_RULE_LEVELS, RULE_IDS, RuleId } from '../lib/rule-policy';
import { RULE_EXAMPLES } from './support/rule-examples';

/** The markdown file whose rules table documents every rule . */
const RULES_TABLE_FILE = path.join(__dirname, '..', 'README.md');

interface RuleRow {
  readonly rule: string;
  readonly level: string;
  readonly message: string;
}

/** Rows of the rules table: table rows whose first cell is a rule id in backticks. */
function ruleRows(markdown: string): RuleRow[] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const cells = line.slice(2, -2).split(' | ');
      return { rule: unquote(cells[0]), level: cells[1], message: unquote(cells[cells.length - 1]) };
    });
}

function unquote(cell: string): string {
  return cell.replace(/^`|`$/g, '');
}

describe('the rules table', () => {
  const readme = fs.readFileSync(RULES_TABLE_FILE, 'utf8');
  const section = readme.slice(readme.indexOf('## Rules checked at synth'), readme.indexOf('\n## ', readme.indexOf('## Rules checked at synth') + 3));
  const rows = ruleRows(section);

  test.each(RULE_IDS)('documents %s once, with its default level and its exact message', (rule: RuleId) => {
    const found = rows.filter((row) => row.rule === rule);
    expect(found).toHaveLength(1);
    expect(found[0]).toEqual({ rule, level: DEFAULT_RULE_LEVELS[rule], message: RULE_EXAMPLES[rule].message });
  });

  test('documents no rule that does not exist', () => {
    expect(rows.map((row) => row.rule).filter((rule) => !(RULE_IDS as string[]).includes(rule))).toEqual([]);
  });
});
