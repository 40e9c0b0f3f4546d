import { readFileSync } from 'node:fs';
import { firstValueFrom, toArray } from 'rxjs';
import request from 'supertest';
import type { PlutoRtRedisOptions } from '../../lib/index.js';
import { RawSseClient } from './sse-client.js';
import { startTestApp } from './test-app.js';

export const PASSWORD = 'acl-test-password';

/** Where the ACL rule is documented: the Redis Cluster / Sentinel guide. */
const GUIDE = 'docs/cluster-and-sentinel.md';

/** The ACL SETUSER line of the guide, as arguments, with the test's password. */
export function readmeAclRule(): string[] {
  const guide = readFileSync(new URL(`../../${GUIDE}`, import.meta.url), 'utf8');
  const line = /```acl\n(ACL SETUSER [^\n]+)\n```/.exec(guide)?.[1];
  if (!line) throw new Error(`${GUIDE} has no \`\`\`acl block with an ACL SETUSER line`);
  return line.replace('>CHANGE-ME', `>${PASSWORD}`).split(' ').slice(3); // after ACL SETUSER <user>
}

/**
 * Every path to Redis: pushes, SSE and stream() live, a poll, complete(), and the expiry
 * sweep (an abandoned queue with an open stream, idle past idleTtlSeconds: EXISTS).
 */
export async function exercise(redis: PlutoRtRedisOptions): Promise<void> {
  const t = await startTestApp({
    options: { redis, keyPrefix: 'pluto-rt:', sweepIntervalMs: 100, idleTtlSeconds: 1 },
  });
  const sseUrl = (name: string) =>
    t.url + t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' }).sse;
  try {
    const [done, abandoned] = [t.rt.createQueueName(), t.rt.createQueueName()];
    const sse = await RawSseClient.open(sseUrl(done));
    const streamed = firstValueFrom(t.rt.stream(done).pipe(toArray()));
    const queue = t.rt.get(done);
    await queue.push({ n: 1, text: 'one' });
    expect((await request(t.url).get(t.rt.rtUrls(done).poll)).status).toBe(200);
    await queue.push({ n: 2, text: 'two' });
    await queue.complete();
    await sse.untilEnd();
    expect(sse.listItems.map((item) => item.n)).toEqual([1, 2]); // maybe in one event
    expect(await streamed).toHaveLength(2);

    await t.rt.get(abandoned).push({ n: 1, text: 'left behind' });
    const waiting = await RawSseClient.open(sseUrl(abandoned));
    await waiting.untilEnd(10_000);
    expect(waiting.events.at(-1)).toMatchObject({ event: 'close', data: 'gone' });
  } finally {
    await t.app.close();
    await t.redis.quit();
  }
}
