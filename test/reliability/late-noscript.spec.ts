import { RtRedisUnavailableError } from '../../lib/index.js';
import { RedisConnections } from '../../lib/store/redis-connections.js';
import { readRecord } from './helpers/failover-tally.js';
import { send } from '../helpers/redis-process.js';
import { StoppableRedis } from '../helpers/stoppable-redis.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

const COMMAND_TIMEOUT_MS = 300;

/**
 * A push whose script is not cached on the server (a fresh master after a failover, a
 * SCRIPT FLUSH) is sent twice: EVALSHA, then EVAL on the NOSCRIPT answer. When that answer
 * comes after commandTimeoutMs, the caller has already heard RtRedisUnavailableError, and
 * the EVAL must not go out: it would write the item behind the caller's back (seen once in
 * a Sentinel failover run, as a push "written after it was rejected").
 */
describe('a push rejected for time is not re-sent when its NOSCRIPT answer comes late', () => {
  let redis: StoppableRedis;
  let t: TestApp;

  beforeAll(async () => {
    redis = await StoppableRedis.start();
    t = await startTestApp({
      redis: redis.target,
      options: { commandTimeoutMs: COMMAND_TIMEOUT_MS },
    });
  });
  afterAll(async () => {
    redis.proc.resume();
    await t?.close();
    await redis?.destroy();
  });

  it('rejects with RtRedisUnavailableError, and the item is never written', async () => {
    const queue = t.rt.get(t.rt.createQueueName());
    await queue.push({ n: 0 });
    await send(redis.port, 'SCRIPT', 'FLUSH');
    const { command } = t.app.get(RedisConnections);

    // The push waits for its connection, which comes back (and is ready) well before the
    // push's bound: its EVALSHA then goes to a server that hangs at once, so the NOSCRIPT
    // answer arrives after the caller heard, but before ioredis' own command timeout (which
    // counts from the send).
    const id = await command.client('ID');
    command.once('ready', () => redis.proc.pause());
    await send(redis.port, 'CLIENT', 'KILL', 'ID', String(id));
    await waitFor(() => command.status !== 'ready', 'the command connection to drop');
    const late = await queue.push({ n: 1 }).then(
      (entry) => new Error(`resolved with ${entry} while Redis was stopped`),
      (err: unknown) => err,
    );
    redis.proc.resume();
    expect(late).toBeInstanceOf(RtRedisUnavailableError);

    // Commands on the connection keep their order: by the time a later push is answered,
    // an EVAL sent on the first one's NOSCRIPT has run.
    await waitFor(
      () =>
        queue.push({ n: 2 }).then(
          () => true,
          () => false,
        ),
      'a push after the server resumed',
    );
    const record = await readRecord(redis.port, t.key(queue.name));
    expect(record.map((e) => e.n)).toEqual([0, 2]);
  });
});
