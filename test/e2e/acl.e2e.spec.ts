import request from 'supertest';
import { Redis } from 'ioredis';
import { RtNotReplicatedError } from '../../lib/index.js';
import { startPrivateRedis, type PrivateRedis } from '../../scripts/redis-env.mjs';
import { exercise, PASSWORD, readmeAclRule } from '../helpers/readme-acl.js';
import { startTestApp } from '../helpers/test-app.js';

describe('the documented Redis ACL rule (docs/cluster-and-sentinel.md) is enough, and no more', () => {
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

    it('works on after the server lost its scripts: writes go by source, reads fall back to it', async () => {
      const t = await startTestApp({ options: { redis: { url: url() }, keyPrefix: 'pluto-rt:' } });
      try {
        const queue = t.rt.get(t.rt.createQueueName());
        await queue.push({ n: 1 });
        await admin.script('FLUSH');
        await queue.push({ n: 2 });
        await queue.complete();
        const res = await request(t.url).get(t.rt.rtUrls(queue.name).poll);
        expect(res.body).toMatchObject({
          items: [{ item: { n: 1 } }, { item: { n: 2 } }],
          complete: true,
        });
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
});
