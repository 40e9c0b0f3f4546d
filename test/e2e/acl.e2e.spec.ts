import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import request from 'supertest';
import { firstValueFrom, toArray } from 'rxjs';
import { RtNotReplicatedError, type PlutoRtRedisOptions } from '../../lib/index.js';
import { startPrivateRedis, type PrivateRedis } from '../../scripts/redis-env.mjs';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { send } from '../helpers/redis-process.js';
import { RawSseClient } from '../helpers/sse-client.js';
import { startTestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

const PASSWORD = 'acl-test-password';

/** The ACL SETUSER line of the README, as arguments, with the test's password. */
function readmeAclRule(): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const line = /```acl\n(ACL SETUSER [^\n]+)\n```/.exec(readme)?.[1];
  if (!line) throw new Error('README.md has no ```acl block with an ACL SETUSER line');
  return line.replace('>CHANGE-ME', `>${PASSWORD}`).split(' ').slice(3); // after ACL SETUSER <user>
}

/**
 * Every path to Redis: pushes, SSE and stream() live, a poll, complete(), and the expiry
 * sweep (an abandoned queue with an open stream, idle past idleTtlSeconds: EXISTS).
 */
async function exercise(redis: PlutoRtRedisOptions): Promise<void> {
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
    expect(sse.items).toHaveLength(2);
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

describe("the README's Redis ACL rule is enough for the module, and no more", () => {
  describe('on a standalone server', () => {
    let server: PrivateRedis;
    let admin: Redis;
    beforeAll(async () => {
      server = await startPrivateRedis();
      admin = new Redis(server.url);
      await admin.call('ACL', 'SETUSER', 'pluto-rt', ...readmeAclRule());
    });
    afterAll(async () => {
      await admin.quit();
      await server.stop();
    });
    const url = () => server.url.replace('redis://', `redis://pluto-rt:${PASSWORD}@`);

    it('runs every path of the module with no command or key refused (ACL LOG stays empty)', async () => {
      await exercise({ url: url() });
      expect(await admin.call('ACL', 'LOG')).toEqual([]);
    });

    it('lets waitForReplicas run WAIT (no replica here: RtNotReplicatedError, not NOPERM)', async () => {
      const t = await startTestApp({
        options: {
          redis: { url: url() },
          keyPrefix: 'pluto-rt:',
          waitForReplicas: { replicas: 1, timeoutMs: 20 },
        },
      });
      try {
        const err = await t.rt
          .get(t.rt.createQueueName())
          .push({ n: 1 })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(RtNotReplicatedError);
        expect(err).toMatchObject({ confirmed: 0, replicas: 1 });
      } finally {
        await t.app.close();
        await t.redis.quit();
      }
      expect(await admin.call('ACL', 'LOG')).toEqual([]);
    });

    it('refuses what the module does not need: other keys, other commands', async () => {
      const user = new Redis(url(), { maxRetriesPerRequest: 0 });
      try {
        await expect(user.get('pluto-rt:x')).rejects.toThrow(/NOPERM/);
        await expect(user.exists('other:x')).rejects.toThrow(/NOPERM/);
        await expect(user.call('FLUSHALL')).rejects.toThrow(/NOPERM/);
      } finally {
        user.disconnect();
      }
    });
  });

  describe('on a cluster (the user set on every node)', () => {
    let cluster: RedisCluster;
    beforeAll(async () => {
      cluster = await startRedisCluster();
      for (const { port } of cluster.nodes)
        await send(port, 'ACL', 'SETUSER', 'pluto-rt', ...readmeAclRule());
    }, 30_000);
    afterAll(() => cluster.stop());

    it('runs every path of the module with no command or key refused on any node', async () => {
      await exercise({
        cluster: {
          nodes: cluster.nodes,
          options: { redisOptions: { username: 'pluto-rt', password: PASSWORD } },
        },
      });
      for (const { port } of cluster.nodes)
        expect([port, await send(port, 'ACL', 'LOG')]).toEqual([port, []]);
    });
  });
});
