import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** `<!-- readme-example: path -->` right above a code block: the block is that file. */
const EXAMPLE = /<!-- readme-example: (\S+) -->\n```(?:ts|hbs)\n([\s\S]*?)```\n/g;
/** A marker: a line of its own (a page may name the marker in its text). */
const MARKER = /^<!-- readme-example: /gm;

/** The README and every guide in docs/, by path from the repository's root. */
const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .sort()
    .map((file) => `docs/${file}`),
];
const read = (page: string) => readFileSync(join(ROOT, page), 'utf8');
const examplesOf = (page: string) =>
  [...read(page).matchAll(EXAMPLE)].map(([, path, code]) => ({ page, path: path!, code: code! }));

/** GitHub's anchor of a heading: lower case, no punctuation, a hyphen for each space. */
const slug = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
const anchorsOf = (markdown: string) =>
  new Set(
    [...withoutCodeBlocks(markdown).matchAll(/^#{1,6} (.+)$/gm)].map(([, text]) => slug(text!)),
  );
function withoutCodeBlocks(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '');
}

describe('the README and the guides in docs/', () => {
  const readme = read('README.md');

  it('finds the guides', () => {
    expect(PAGES.length).toBeGreaterThan(5);
  });

  it('open with the first example: controller, processor, view, layout and item templates', () => {
    const first = examplesOf('README.md').filter((example) =>
      example.path.startsWith('test/readme-example/first/'),
    );
    expect(first.map((example) => example.path.replace('test/readme-example/first/', ''))).toEqual([
      'import.controller.ts',
      'import.processor.ts',
      'views/import.hbs',
      'views/layout.hbs',
      'views/pluto_rt/list_item.hbs',
      'views/pluto_rt/progress.hbs',
    ]);
    expect(readme).toContain('\n## Guides\n');
    expect(readme.indexOf(first.at(-1)!.code)).toBeLessThan(readme.indexOf('\n## Guides\n'));
  });

  it('link every guide from the README, one line each', () => {
    const guides = readme.slice(readme.indexOf('\n## Guides\n'));
    for (const page of PAGES.filter((page) => page.startsWith('docs/')))
      expect(guides).toMatch(new RegExp(`^- \\[[^\\]]+\\]\\(${page}\\): \\S`, 'm'));
  });

  it('show the processor and its test under "Testing your code" (docs/testing.md)', () => {
    const testing = read('docs/testing.md');
    expect(testing).toMatch(/^# Testing your code$/m);
    const shown = PAGES.flatMap(examplesOf).filter((example) => example.path.includes('report.'));
    expect(shown.map(({ page, path }) => `${page}: ${path}`)).toEqual([
      'docs/testing.md: test/readme-example/report.processor.ts',
      'docs/testing.md: test/readme-example/report.processor.spec.ts',
    ]);
  });

  it.each(PAGES)('%s: every TypeScript block is a file of test/readme-example/', (page) => {
    const markdown = read(page);
    const tsBlocks = [...markdown.matchAll(/^(.*)\n```ts\n/gm)].map(([, above]) => above);
    for (const above of tsBlocks) expect(above).toMatch(/^<!-- readme-example: \S+ -->$/);
    // A marker whose block the pattern does not take (another language, a space) is no check.
    const markers = [...markdown.matchAll(MARKER)].length;
    expect(examplesOf(page)).toHaveLength(markers);
    for (const { path } of examplesOf(page)) expect(path).toMatch(/^test\/readme-example\//);
  });

  it.each(PAGES)('%s: each example is, character for character, its file', (page) => {
    for (const { path, code } of examplesOf(page)) {
      expect({ path, code }).toEqual({ path, code: readFileSync(join(ROOT, path), 'utf8') });
    }
  });

  it.each(PAGES)('%s: each relative link finds its file and heading', (page) => {
    const markdown = withoutCodeBlocks(read(page));
    const links = [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map(([, target]) => target!);
    for (const link of links.filter((target) => !/^[a-z]+:/.test(target))) {
      const [path, anchor] = link.split('#') as [string, string | undefined];
      const file = path === '' ? page : normalize(join(dirname(page), path));
      expect({ link, exists: existsSync(join(ROOT, file)) }).toEqual({ link, exists: true });
      if (anchor !== undefined && file.endsWith('.md'))
        expect({ link, anchors: [...anchorsOf(read(file))] }).toEqual({
          link,
          anchors: expect.arrayContaining([anchor]),
        });
    }
  });
});
