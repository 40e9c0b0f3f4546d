import { Redis } from 'ioredis';
import { RtNotReplicatedError, RtRedisUnavailableError } from '../../lib/index.js';
import { scriptsFor } from '../../lib/store/lua-scripts.js';
import { RedisConnections } from '../../lib/store/redis-connections.js';
import { startPrivateRedis, type PrivateRedis } from '../../scripts/redis-env.mjs';
import { exercise, PASSWORD, readmeAclRule } from '../helpers/readme-acl.js';
import { startTestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

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

    it('lets a waited write turned away on a late NOSCRIPT load its script (SCRIPT LOAD)', async () => {
      const t = await startTestApp({
        options: {
          redis: { url: url() },
          keyPrefix: 'pluto-rt:',
          commandTimeoutMs: 1_000,
          waitForReplicas: { replicas: 1, timeoutMs: 150 },
        },
      });
      try {
        const connections = t.app.get(RedisConnections);
        await connections.whenReady(connections.command, 'test');
        const { sha } = scriptsFor(await connections.pubsubKind(connections.command)).push;
        await admin.script('FLUSH');
        // Holds the EVALSHA past the write's latest send time (see late-noscript.spec.ts).
        await admin.call('CLIENT', 'PAUSE', 750, 'WRITE');
        const err = await t.rt
          .get(t.rt.createQueueName())
          .push({ n: 1 })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(RtRedisUnavailableError);
        await waitFor(
          async () => ((await admin.script('EXISTS', sha)) as number[])[0] === 1,
          'the push script loaded by the module',
        );
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
