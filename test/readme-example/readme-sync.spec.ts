import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** `<!-- readme-example: path -->` right above a ts code block: the block is that file. */
const EXAMPLE = /<!-- readme-example: (\S+) -->\n```ts\n([\s\S]*?)```\n/g;

describe("the README's example test", () => {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8');
  const examples = [...readme.matchAll(EXAMPLE)].map(([, path, code]) => ({ path, code }));

  it('shows the processor and its test under "Testing your code"', () => {
    const section = readme.slice(readme.indexOf('## Testing your code'));
    expect(readme).toContain('## Testing your code');
    expect(examples.map((example) => example.path)).toEqual([
      'test/readme-example/report.processor.ts',
      'test/readme-example/report.processor.spec.ts',
    ]);
    for (const { path } of examples) expect(section).toContain(path);
  });

  it('is, character for character, the files that npm test runs', () => {
    for (const { path, code } of examples) {
      expect({ path, code }).toEqual({ path, code: readFileSync(`${ROOT}${path}`, 'utf8') });
    }
  });
});
