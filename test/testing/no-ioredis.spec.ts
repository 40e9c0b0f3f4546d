import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (file: string) =>
  fileURLToPath(new URL(`../fixtures/refuse-ioredis/${file}`, import.meta.url));

/** Both builds of the package: each is checked with its own kind of loading refused. */
const BUILDS = [
  {
    build: 'ESM (dist/)',
    dir: 'dist/',
    // Node's module hooks: every import of ioredis throws.
    node: ['--import', fixture('register.mjs'), '--input-type=module'],
    load: (specifier: string, names = '') =>
      `import ${names ? `{ ${names} } from ` : ''}'${specifier}';`,
    mainRefusal: /ioredis imported by file:.*\/dist\/(?!testing\/|cjs\/)/,
  },
  {
    build: 'CommonJS (dist/cjs/)',
    dir: 'dist/cjs/',
    // Module._resolveFilename patched: every require() of ioredis throws.
    node: ['--require', fixture('refuse.cjs')],
    load: (specifier: string, names = '') =>
      `${names ? `const { ${names} } = ` : ''}require('${specifier}');`,
    mainRefusal: /ioredis required by .*\/dist\/cjs\/(?!testing\/)/,
  },
];

/** Runs `code` in a fresh node started with `args`. */
async function withoutIoredis(
  args: string[],
  code: string,
): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...args, '-e', code], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    return { ok: true, output: stdout + stderr };
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    return { ok: false, output: stdout + stderr };
  }
}

describe.each(BUILDS)('nestjs-pluto-rt/testing loads without ioredis: $build', (b) => {
  beforeAll(() => {
    if (!existsSync(`${ROOT}${b.dir}testing/index.js`)) {
      throw new Error(`${b.dir}testing is missing: run \`npm run build\` first (npm test does)`);
    }
  });

  it('loads and records with every load of ioredis refused', async () => {
    const result = await withoutIoredis(
      b.node,
      `
      ${b.load('reflect-metadata')}
      ${b.load(`./${b.dir}testing/index.js`, 'RecordingRtQueueService')}
      (async () => {
        const rt = new RecordingRtQueueService();
        const queue = rt.get(rt.createQueueName());
        await queue.push({ ok: true });
        await queue.complete();
        console.log(JSON.stringify([rt.pushed(queue.name), rt.isCompleted(queue.name)]));
      })();
    `,
    );
    expect(result).toEqual({ ok: true, output: '[[{"ok":true}],true]\n' });
  });

  it('while the main entry does load it (the check can fail)', async () => {
    const result = await withoutIoredis(b.node, b.load(`./${b.dir}index.js`));
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(b.mainRefusal);
  });
});
