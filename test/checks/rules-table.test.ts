import * as fs from 'fs';
import * as path from 'path';
import { RULE_DEFINITIONS } from '../../lib/checks/rule-policy';

/** The markdown file whose rules table documents every rule. */
const RULES_TABLE_FILE = path.join(__dirname, '..', '..', 'docs', 'rules.md');
/** The header row that starts the rules table; the table ends at the first line that is not a row. */
const RULES_TABLE_HEADER = '| rule | default | fails when | example input | message |';

/** The table's rows after the header and the separator line. */
function tableRows(markdown: string): string[] {
  const lines = markdown.split('\n');
  const header = lines.indexOf(RULES_TABLE_HEADER);
  if (header < 0) throw new Error(`${RULES_TABLE_FILE} has no rules table starting '${RULES_TABLE_HEADER}'`);
  const end = lines.findIndex((line, i) => i > header && !line.startsWith('|'));
  return lines.slice(header + 2, end < 0 ? lines.length : end);
}

describe('the rules table (docs/rules.md)', () => {
  test('is the rule definitions of lib/checks, row by row, in their order', () => {
    const expected = RULE_DEFINITIONS.map(
      ({ rule, level, failsWhen, exampleInput, exampleMessage }) => `| \`${rule}\` | ${level} | ${failsWhen} | ${exampleInput} | \`${exampleMessage}\` |`,
    );
    expect(tableRows(fs.readFileSync(RULES_TABLE_FILE, 'utf8'))).toEqual(expected);
  });
});
