import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REFUSE_IOREDIS = fileURLToPath(
  new URL('../fixtures/refuse-ioredis/register.mjs', import.meta.url),
);

/** Runs `code` as an ES module in a fresh node whose every import of ioredis throws. */
async function withoutIoredis(code: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', REFUSE_IOREDIS, '--input-type=module', '-e', code],
      { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' } },
    );
    return { ok: true, output: stdout + stderr };
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    return { ok: false, output: stdout + stderr };
  }
}

describe('nestjs-pluto-rt/testing loads without ioredis (the built package)', () => {
  beforeAll(() => {
    if (!existsSync(`${ROOT}dist/testing/index.js`)) {
      throw new Error('dist/testing is missing: run `npm run build` first (npm test does)');
    }
  });

  it('imports and records with every import of ioredis refused', async () => {
    const result = await withoutIoredis(`
      import 'reflect-metadata';
      import { RecordingRtQueueService } from './dist/testing/index.js';
      const rt = new RecordingRtQueueService();
      const queue = rt.get(rt.createQueueName());
      await queue.push({ ok: true });
      await queue.complete();
      console.log(JSON.stringify([rt.pushed(queue.name), rt.isCompleted(queue.name)]));
    `);
    expect(result).toEqual({ ok: true, output: '[[{"ok":true}],true]\n' });
  });

  it('while the main entry does import it (the check can fail)', async () => {
    const result = await withoutIoredis(`import './dist/index.js';`);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/ioredis imported by file:.*\/dist\/(?!testing\/)/);
  });
});
