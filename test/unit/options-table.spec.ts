import { readFileSync } from 'node:fs';
import { DEFAULTS, NUMERIC_OPTIONS } from '../../lib/options/defaults.js';
import { KNOWN_OPTIONS } from '../../lib/options/resolve-options.js';

/** Where the option table is documented: the Options guide, which the README links. */
const DOC = new URL('../../docs/options.md', import.meta.url);

/** The default each option's row must give, as the table writes it. */
const quoted = (value: string) => `\`'${value}'\``;
const code = (value: unknown) => `\`${String(value)}\``;
const EXPECTED: Record<string, string> = {
  secret: 'required',
  redis: `\`{ url: '${DEFAULTS.redisUrl}' }\``,
  waitForReplicas: 'off',
  keyPrefix: quoted(DEFAULTS.keyPrefix),
  clientName: quoted(DEFAULTS.clientName),
  templatesDir: `\`<cwd>/${DEFAULTS.templatesDir}\``,
  ...Object.fromEntries(
    Object.entries(NUMERIC_OPTIONS).map(([name, { value }]) => [name, code(value)]),
  ),
  guards: '`[]`',
  guardAssets: code(DEFAULTS.guardAssets),
  insecureDevelopmentMode: code(DEFAULTS.insecureDevelopmentMode),
  htmx: code(DEFAULTS.htmx),
  metrics: '`false`',
  followJobs: '`[]`',
  'routePrefix (extra)': quoted(DEFAULTS.routePrefix),
  'isGlobal (extra)': code(DEFAULTS.isGlobal),
};

/** The rows of the table headed `| option | default | meaning |`: option -> default cell. */
function optionTable(markdown: string): Map<string, string> {
  const start = markdown.indexOf('| option | default | meaning |');
  if (start === -1) throw new Error('no option table');
  const rows = markdown.slice(start).split('\n').slice(2);
  const table = new Map<string, string>();
  for (const row of rows) {
    if (!row.startsWith('|')) break;
    const [option, defaultCell] = row.split(' | ').map((cell) => cell.replace(/^\| /, '').trim());
    table.set(option!.replace(/`/g, ''), defaultCell!);
  }
  return table;
}

describe('the documented option table', () => {
  const table = optionTable(readFileSync(DOC, 'utf8'));

  it('has a row for every option, and no other', () => {
    const documented = [...table.keys()].map((name) => name.replace(' (extra)', '')).sort();
    expect(documented).toEqual([...KNOWN_OPTIONS, 'routePrefix', 'isGlobal'].sort());
  });

  it('gives the defaults that the module applies (lib/options/defaults.ts)', () => {
    expect(Object.fromEntries(table)).toEqual(EXPECTED);
  });
});
