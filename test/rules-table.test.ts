import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_RULE_LEVELS, RULE_IDS, RuleId } from '../lib/rule-policy';
import { RULE_EXAMPLES } from './support/rule-examples';

/** The markdown file whose rules table documents every rule. */
const RULES_TABLE_FILE = path.join(__dirname, '..', 'docs', 'rules.md');
/** The header row that starts the rules table; the table ends at the first line that is not a row. */
const RULES_TABLE_HEADER = '| rule | default | fails when | example input | message |';

interface RuleRow {
  readonly rule: string;
  readonly level: string;
  readonly message: string;
}

/** Rows of the rules table: its rows after the header and the separator line. */
function ruleRows(markdown: string): RuleRow[] {
  const lines = markdown.split('\n');
  const header = lines.indexOf(RULES_TABLE_HEADER);
  if (header < 0) throw new Error(`${RULES_TABLE_FILE} has no rules table starting '${RULES_TABLE_HEADER}'`);
  const end = lines.findIndex((line, i) => i > header && !line.startsWith('|'));
  return lines
    .slice(header + 2, end < 0 ? lines.length : end)
    .map((line) => {
      const cells = line.slice(2, -2).split(' | ');
      return { rule: unquote(cells[0]), level: cells[1], message: unquote(cells[cells.length - 1]) };
    });
}

function unquote(cell: string): string {
  return cell.replace(/^`|`$/g, '');
}

describe('the rules table', () => {
  const rows = ruleRows(fs.readFileSync(RULES_TABLE_FILE, 'utf8'));

  test.each(RULE_IDS)('documents %s once, with its default level and its exact message', (rule: RuleId) => {
    const found = rows.filter((row) => row.rule === rule);
    expect(found).toHaveLength(1);
    expect(found[0]).toEqual({ rule, level: DEFAULT_RULE_LEVELS[rule], message: RULE_EXAMPLES[rule].message });
  });

  test('documents no rule that does not exist', () => {
    expect(rows.map((row) => row.rule).filter((rule) => !(RULE_IDS as string[]).includes(rule))).toEqual([]);
  });
});
