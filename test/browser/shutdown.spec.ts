import { queueKey, redisClient } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';
import { startSample, type SampleProcess } from './support/sample-process.js';

/** Starts a demo over HTTP as the index page's form does; resolves with the queue name. */
async function launchOverHttp(baseUrl: string, slug: string): Promise<string> {
  const res = await fetch(`${baseUrl}/demos/${slug}/sse`, { method: 'POST', redirect: 'manual' });
  expect(res.status).toBe(303);
  return res.headers.get('location')!.split('/').at(-1)!;
}

describe('sample shutdown', () => {
  const redis = redisClient();
  let sample: SampleProcess | undefined;

  afterEach(async () => {
    await sample?.stop('SIGKILL');
    await sample?.deleteKeys();
    sample = undefined;
  });

  afterAll(() => redis.quit());

  it('SIGTERM through scripts/with-redis.mjs (npm run sample) drains the running job and exits 0 quietly', async () => {
    sample = await startSample({ viaWithRedis: true, stepMs: 100 });
    const queue = await launchOverHttp(sample.url, 'list');
    const key = queueKey(sample.prefixes.keyPrefix, queue);
    await waitFor(async () => (await redis.xlen(key)) >= 4, 'the job to be under way');

    const exit = await sample.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(sample.stderr()).toBe('');
    // The job ran to its end before the worker closed, and completed its queue: 26 items and
    // the end marker, with the short expiry that complete() sets.
    const entries = await redis.xrange(key, '-', '+');
    expect(entries).toHaveLength(27);
    expect(entries[25]![1].join(' ')).toContain('all 25 batches imported');
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it('SIGINT (Ctrl+C) on an idle sample exits 0 with nothing on stderr', async () => {
    sample = await startSample();
    const exit = await sample.stop('SIGINT');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(sample.stderr()).toBe('');
  });

  it('the worker alone (--worker) exits 0 on SIGTERM', async () => {
    sample = await startSample({ args: ['--worker'] });
    expect(sample.stdout()).toContain('Worker running');
    const exit = await sample.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(sample.stderr()).toBe('');
  });
});
