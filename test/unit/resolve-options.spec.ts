import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { RtOptionsError } from '../../lib/errors.js';
import type { PlutoRtModuleOptions } from '../../lib/options/pluto-rt-options.interface.js';
import { resolveOptions } from '../../lib/options/resolve-options.js';
import { checkClusterMode } from '../../lib/options/resolve-redis.js';

const SECRET = 'unit-secret-0123456789-abcdefghijklmnop';

/** The RtOptionsError that resolveOptions throws for `options` (fails if none). */
function optionsError(options: unknown): RtOptionsError {
  try {
    resolveOptions(options as PlutoRtModuleOptions);
  } catch (err) {
    expect(err).toBeInstanceOf(RtOptionsError);
    return err as RtOptionsError;
  }
  throw new Error('resolveOptions accepted the options');
}

describe('resolveOptions', () => {
  it('fills the defaults', () => {
    const config = resolveOptions({ secret: SECRET });
    expect(config).toEqual({
      redis: { url: 'redis://127.0.0.1:6379', pubsub: 'auto' },
      keyPrefix: 'pluto-rt:',
      clientName: 'pluto-rt',
      keepaliveMs: 10_000,
      sseRetryMs: 1_000,
      completedTtlSeconds: 60,
      idleTtlSeconds: 86_400,
      startTimeoutSeconds: 3_600,
      maxMessages: 10_000,
      maxMessageBytes: 65_536,
      maxStreams: 10_000,
      commandTimeoutMs: 5_000,
      urlTtlSeconds: 86_400,
      sweepIntervalMs: 60_000,
      templatesDir: resolve(process.cwd(), 'views'),
      secret: SECRET,
      secretIsEphemeral: false,
      guards: [],
      guardAssets: false,
      htmx: 2,
      followJobs: [],
    });
  });

  it('followJobs: BullMQ queue names, each once, at most 32', () => {
    expect(
      resolveOptions({ secret: SECRET, followJobs: ['imports', 'exports'] }).followJobs,
    ).toEqual(['imports', 'exports']);
    for (const bad of [
      'imports',
      ['a:b'],
      [''],
      ['x', 'x'],
      Array.from({ length: 33 }, (_, i) => `q${i}`),
    ])
      expect(optionsError({ secret: SECRET, followJobs: bad as never })).toMatchObject({
        option: expect.stringMatching(/^followJobs/),
      });
  });

  it('htmx is 2 or 4, as a number', () => {
    expect(resolveOptions({ secret: SECRET, htmx: 4 }).htmx).toBe(4);
    for (const bad of [3, '4', 4.5, null])
      expect(optionsError({ secret: SECRET, htmx: bad })).toMatchObject({
        option: 'htmx',
        message: expect.stringMatching(/must be 2 or 4/),
      });
  });

  it('keeps given values', () => {
    const config = resolveOptions({
      secret: SECRET,
      keyPrefix: 'app:rt:',
      clientName: 'web-1',
      keepaliveMs: 500,
      completedTtlSeconds: 5,
      startTimeoutSeconds: 120,
      maxMessages: 3,
      templatesDir: 'test/fixtures/views',
      guardAssets: true,
    });
    expect(config).toMatchObject({
      keyPrefix: 'app:rt:',
      clientName: 'web-1',
      keepaliveMs: 500,
      completedTtlSeconds: 5,
      startTimeoutSeconds: 120,
      maxMessages: 3,
      templatesDir: resolve('test/fixtures/views'),
      guardAssets: true,
    });
  });

  it('refuses a templatesDir that is no folder, naming the folder it resolved to', () => {
    const missing = optionsError({ secret: SECRET, templatesDir: 'no/such/views' });
    expect(missing.option).toBe('templatesDir');
    expect(missing.message).toContain(`is not a folder: ${resolve('no/such/views')}`);
    expect(missing.message).toContain(`resolved against the working directory ${process.cwd()}`);
    const file = optionsError({ secret: SECRET, templatesDir: resolve('package.json') });
    expect(file.message).toMatch(/is not a folder: .*package\.json$/);
  });

  describe('numeric options out of range name the option', () => {
    const cases: Array<[string, number, number]> = [
      ['keepaliveMs', 100, 3_600_000],
      ['sseRetryMs', 100, 3_600_000],
      ['completedTtlSeconds', 1, 31_536_000],
      ['idleTtlSeconds', 1, 31_536_000],
      ['startTimeoutSeconds', 1, 31_536_000],
      ['maxMessages', 1, 10_000_000],
      ['maxMessageBytes', 16, 64 * 1024 * 1024],
      ['maxStreams', 1, 1_000_000],
      ['commandTimeoutMs', 10, 600_000],
      ['urlTtlSeconds', 1, 31_536_000],
      ['sweepIntervalMs', 100, 86_400_000],
    ];

    it.each(cases)('%s accepts its bounds %d and %d', (option, min, max) => {
      expect(resolveOptions({ secret: SECRET, [option]: min })).toMatchObject({ [option]: min });
      expect(resolveOptions({ secret: SECRET, [option]: max })).toMatchObject({ [option]: max });
    });

    it.each(cases)(
      '%s refuses below, above, fractions, NaN, strings and -1',
      (option, min, max) => {
        for (const bad of [min - 1, max + 1, min + 0.5, NaN, Infinity, -1, String(min)]) {
          const err = optionsError({ secret: SECRET, [option]: bad });
          expect(err.option).toBe(option);
          expect(err.message).toContain(`"${option}"`);
        }
      },
    );
  });

  it.each<[string, unknown, string]>([
    ['redis', { url: 'redis://127.0.0.1:6379', clusterNodes: ['a'] }, 'redis.clusterNodes'],
    ['redis (beside client)', { client: { duplicate() {} }, keyprefix: 'x' }, 'redis.keyprefix'],
  ])('names an unknown key inside %s, with its path', (_, redis, path) => {
    const err = optionsError({ secret: SECRET, redis });
    expect(err.option).toBe(path);
    expect(err.message).toContain(`"${path}" is not a known option`);
  });

  it('names an unknown option, and the known one it resembles', () => {
    const err = optionsError({ secret: SECRET, keepAliveMs: 1000 });
    expect(err.option).toBe('keepAliveMs');
    expect(err.message).toMatch(
      /"keepAliveMs" is not a known option \(did you mean "keepaliveMs"\?\)/,
    );
    expect(optionsError({ secret: SECRET, templateDir: 'views' }).message).toMatch(
      /"templateDir" is not a known option \(did you mean "templatesDir"\?\)$/,
    );
    expect(optionsError({ secret: SECRET, redis: { urll: 'redis://x' } }).message).toMatch(
      /"redis.urll" is not a known option \(did you mean "url"\?\)$/,
    );
    // Nothing close: no guess.
    expect(optionsError({ secret: SECRET, colour: 'red' }).message).toMatch(
      /"colour" is not a known option$/,
    );
  });

  it('tells where routePrefix and isGlobal go when given inside the options', () => {
    expect(optionsError({ secret: SECRET, routePrefix: 'rt' }).message).toMatch(
      /beside useFactory/,
    );
    expect(optionsError({ secret: SECRET, isGlobal: true }).option).toBe('isGlobal');
  });

  it('refuses options that are not an object', () => {
    expect(optionsError('redis://x').option).toBe('options');
  });

  describe('secret', () => {
    it('is required, and the message says how to use insecureDevelopmentMode', () => {
      for (const options of [{}, { secret: '' }, undefined]) {
        const err = optionsError(options);
        expect(err.option).toBe('secret');
        expect(err.message).toMatch(/required/);
        expect(err.message).toContain('insecureDevelopmentMode: true');
      }
    });

    it('must be at least 32 characters', () => {
      const err = optionsError({ secret: 'x'.repeat(31) });
      expect(err.option).toBe('secret');
      expect(err.message).toMatch(/at least 32 characters/);
      expect(resolveOptions({ secret: 'x'.repeat(32) }).secret).toBe('x'.repeat(32));
    });

    it('must be a string', () => {
      expect(optionsError({ secret: 1.2345678901234567e34 }).option).toBe('secret');
    });

    it('is random per process in insecureDevelopmentMode, and marked ephemeral', () => {
      const a = resolveOptions({ insecureDevelopmentMode: true });
      const b = resolveOptions({ insecureDevelopmentMode: true });
      expect(a.secretIsEphemeral).toBe(true);
      expect(a.secret.length).toBeGreaterThanOrEqual(32);
      expect(a.secret).not.toBe(b.secret);
    });

    it('given in insecureDevelopmentMode, is used as is', () => {
      expect(resolveOptions({ secret: SECRET, insecureDevelopmentMode: true })).toMatchObject({
        secret: SECRET,
        secretIsEphemeral: false,
      });
    });

    it('insecureDevelopmentMode must be a boolean', () => {
      expect(optionsError({ insecureDevelopmentMode: 'yes' }).option).toBe(
        'insecureDevelopmentMode',
      );
    });
  });

  describe('redis', () => {
    let client: Redis;
    beforeAll(() => {
      client = new Redis({ lazyConnect: true });
    });
    afterAll(() => client.disconnect());

    it('defaults to the local URL, also for an empty object', () => {
      expect(resolveOptions({ secret: SECRET, redis: {} }).redis).toEqual({
        url: 'redis://127.0.0.1:6379',
        pubsub: 'auto',
      });
    });

    it('takes a url, options, or both', () => {
      expect(resolveOptions({ secret: SECRET, redis: { url: 'rediss://h:1/2' } }).redis).toEqual({
        url: 'rediss://h:1/2',
        options: undefined,
        pubsub: 'auto',
      });
      expect(resolveOptions({ secret: SECRET, redis: { options: { port: 1234 } } }).redis).toEqual({
        url: undefined,
        options: { port: 1234 },
        pubsub: 'auto',
      });
      expect(
        resolveOptions({ secret: SECRET, redis: { url: 'redis://h', options: { db: 2 } } }).redis,
      ).toEqual({
        url: 'redis://h',
        options: { db: 2 },
        pubsub: 'auto',
      });
    });

    it('takes an existing client as is', () => {
      expect(resolveOptions({ secret: SECRET, redis: { client } }).redis.client).toBe(client);
    });

    it('refuses a client together with url or options', () => {
      expect(optionsError({ secret: SECRET, redis: { client, url: 'redis://h' } }).option).toBe(
        'redis',
      );
      expect(optionsError({ secret: SECRET, redis: { client, options: {} } }).option).toBe('redis');
      expect(
        optionsError({ secret: SECRET, redis: { client, cluster: { nodes: [7000] } } }).option,
      ).toBe('redis');
    });

    it('takes a cluster: startup nodes and ioredis Cluster options', () => {
      const cluster = {
        nodes: [{ host: '10.0.0.1', port: 7000 }],
        options: { scaleReads: 'master' as const },
      };
      expect(resolveOptions({ secret: SECRET, redis: { cluster } }).redis).toEqual({
        cluster,
        pubsub: 'auto',
      });
    });

    it.each<[string, unknown, string]>([
      ['no nodes', { nodes: [] }, 'redis.cluster.nodes'],
      ['nodes not an array', { nodes: 'h:7000' }, 'redis.cluster.nodes'],
      ['options not an object', { nodes: [7000], options: 5 }, 'redis.cluster.options'],
      ['an unknown key', { nodes: [7000], startupNodes: [] }, 'redis.cluster.startupNodes'],
      [
        'a keyPrefix of its own',
        { nodes: [7000], options: { keyPrefix: 'app:' } },
        'redis.cluster.options.keyPrefix',
      ],
    ])('refuses a cluster with %s, naming the option', (_, cluster, option) => {
      expect(optionsError({ secret: SECRET, redis: { cluster } }).option).toBe(option);
    });

    it('refuses classic pub/sub on a cluster (PUBLISH goes to every node)', () => {
      const err = optionsError({
        secret: SECRET,
        redis: { cluster: { nodes: [7000] }, pubsub: 'classic' },
      });
      expect(err.option).toBe('redis.pubsub');
      expect(err.message).toMatch(/every node/);
    });

    it.each(['auto', 'sharded', 'classic'] as const)('takes pubsub %j', (pubsub) => {
      expect(resolveOptions({ secret: SECRET, redis: { pubsub } }).redis.pubsub).toBe(pubsub);
    });

    it('refuses an unknown pubsub', () => {
      expect(optionsError({ secret: SECRET, redis: { pubsub: 'broadcast' } }).option).toBe(
        'redis.pubsub',
      );
    });

    it('takes Sentinel options, and wants the master name beside the sentinels', () => {
      const options = { sentinels: [{ host: '10.0.0.1', port: 26379 }], name: 'mymaster' };
      expect(resolveOptions({ secret: SECRET, redis: { options } }).redis.options).toEqual(options);
      expect(
        optionsError({ secret: SECRET, redis: { options: { sentinels: options.sentinels } } })
          .option,
      ).toBe('redis.options.name');
      expect(
        optionsError({ secret: SECRET, redis: { options: { sentinels: [], name: 'm' } } }).option,
      ).toBe('redis.options.sentinels');
    });

    it('refuses a client that is not an ioredis client', () => {
      expect(optionsError({ secret: SECRET, redis: { client: {} } }).option).toBe('redis.client');
      expect(optionsError({ secret: SECRET, redis: { client: 'redis://h' } }).option).toBe(
        'redis.client',
      );
    });

    it.each([['http://h:6379'], ['localhost:6379'], ['redis://has space'], [''], [6379]])(
      'refuses the url %j',
      (url) => {
        expect(optionsError({ secret: SECRET, redis: { url } }).option).toBe('redis.url');
      },
    );

    it('refuses options that are not an object', () => {
      expect(optionsError({ secret: SECRET, redis: { options: 'x' } }).option).toBe(
        'redis.options',
      );
      expect(optionsError({ secret: SECRET, redis: { options: null } }).option).toBe(
        'redis.options',
      );
    });

    it('refuses a redis that is not an object', () => {
      expect(optionsError({ secret: SECRET, redis: 'redis://h' }).option).toBe('redis');
      expect(optionsError({ secret: SECRET, redis: null }).option).toBe('redis');
    });
  });

  describe('waitForReplicas', () => {
    it('is off by default, and takes replicas and timeoutMs', () => {
      expect(resolveOptions({ secret: SECRET }).waitForReplicas).toBeUndefined();
      expect(
        resolveOptions({ secret: SECRET, waitForReplicas: { replicas: 1, timeoutMs: 50 } })
          .waitForReplicas,
      ).toEqual({ replicas: 1, timeoutMs: 50 });
    });

    it.each<[unknown, string]>([
      [{ replicas: 0, timeoutMs: 50 }, 'waitForReplicas.replicas'],
      [{ replicas: 1.5, timeoutMs: 50 }, 'waitForReplicas.replicas'],
      [{ replicas: 1 }, 'waitForReplicas.timeoutMs'],
      [{ replicas: 1, timeoutMs: 0 }, 'waitForReplicas.timeoutMs'],
      [{ replicas: 1, timeoutMs: 50, numreplicas: 1 }, 'waitForReplicas.numreplicas'],
      ['1', 'waitForReplicas'],
    ])('refuses %j, naming %s', (waitForReplicas, option) => {
      expect(optionsError({ secret: SECRET, waitForReplicas }).option).toBe(option);
    });

    it('must wait less than a command may take (commandTimeoutMs)', () => {
      const err = optionsError({
        secret: SECRET,
        commandTimeoutMs: 100,
        waitForReplicas: { replicas: 1, timeoutMs: 100 },
      });
      expect(err.option).toBe('waitForReplicas.timeoutMs');
      expect(err.message).toMatch(/commandTimeoutMs/);
    });
  });

  describe('other options', () => {
    it.each<[string, unknown]>([
      ['keyPrefix', ''],
      ['keyPrefix', 'has space'],
      ['keyPrefix', '{app}:'],
      ['keyPrefix', 'k'.repeat(65)],
      ['clientName', 'a b'],
      ['clientName', 7],
      ['templatesDir', ''],
      ['guardAssets', 'no'],
      ['guards', 'AuthGuard'],
    ])('%s refuses %j', (option, value) => {
      expect(optionsError({ secret: SECRET, [option]: value }).option).toBe(option);
    });

    it('guards must be classes or canActivate objects, named by index', () => {
      class Guard {
        canActivate() {
          return true;
        }
      }
      expect(resolveOptions({ secret: SECRET, guards: [Guard, new Guard()] }).guards).toHaveLength(
        2,
      );
      expect(optionsError({ secret: SECRET, guards: [Guard, {}] }).option).toBe('guards[1]');
    });
  });
});

describe('checkClusterMode', () => {
  it('refuses ioredis 5, whose cluster never settles an SSUBSCRIBE answered with MOVED', () => {
    expect(() => checkClusterMode('redis.cluster', 'auto', undefined, '5.10.1')).toThrow(
      /needs ioredis 6 or later \(found 5\.10\.1\)/,
    );
    expect(() => checkClusterMode('redis.cluster', 'auto', undefined, '6.0.0')).not.toThrow();
  });
});
