import { mkdtempSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RtTemplateError } from '../../lib/index.js';
import { resolveOptions } from '../../lib/options/resolve-options.js';
import { TemplateRegistry } from '../../lib/render/template-registry.js';

const SECRET = 'unit-secret-0123456789-abcdefghijklmn';

describe('TemplateRegistry', () => {
  let dir: string;
  let nodeEnv: string | undefined;
  beforeEach(() => {
    nodeEnv = process.env.NODE_ENV;
    dir = mkdtempSync(join(tmpdir(), 'pluto-rt-templates-'));
    mkdirSync(join(dir, 'pluto_rt'));
  });
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
    rmSync(dir, { recursive: true, force: true });
  });

  const registry = () =>
    new TemplateRegistry(resolveOptions({ secret: SECRET, templatesDir: dir }));
  /** Writes the template and dates it `secondsAgo` back, as an earlier save would be. */
  const write = (text: string, secondsAgo = 0) => {
    const file = join(dir, 'pluto_rt/item.hbs');
    writeFileSync(file, text);
    const at = Date.now() / 1000 - secondsAgo;
    utimesSync(file, at, at);
  };
  const renders = (r: TemplateRegistry) => r.get('pluto_rt/item')({ item: { text: 'x' } });

  it('names the templates folder when a template is not in it', () => {
    const err = (() => {
      try {
        registry().get('pluto_rt/missing');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(RtTemplateError);
    expect((err as Error).message).toContain(`no such file in the templates folder ${dir}`);
  });

  it.each([
    [
      'outside production, compiles a template again once its file changed',
      'development',
      '<p>x</p>',
    ],
    ['in production, compiles each template once', 'production', '<li>x</li>'],
  ])('%s', (_, nodeEnv, afterEdit) => {
    process.env.NODE_ENV = nodeEnv;
    write('<li>{{item.text}}</li>', 10);
    const r = registry();
    expect(renders(r)).toBe('<li>x</li>');
    write('<p>{{item.text}}</p>');
    // Checked at most once a second: as if that second had passed.
    const realNow = Date.now;
    Date.now = () => realNow() + 1_500;
    try {
      expect(renders(r)).toBe(afterEdit);
    } finally {
      Date.now = realNow;
    }
  });
});
