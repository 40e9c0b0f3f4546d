import { RtRedisUnavailableError } from '../../lib/index.js';
import { scriptsFor } from '../../lib/store/lua-scripts.js';
import { RedisConnections } from '../../lib/store/redis-connections.js';
import { readRecord } from './helpers/failover-tally.js';
import { send } from '../helpers/redis-process.js';
import { startRedisSentinel, type RedisSentinel } from '../helpers/redis-sentinel.js';
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

/**
 * With waitForReplicas a write goes out only with time for the waited writes queued on its
 * connection to answer before its deadline (WaitGate). Its EVAL after a NOSCRIPT queues
 * behind the same writes, so it needs the same time: in a cluster failover run an EVAL sent
 * late ran after its caller had heard RtRedisUnavailableError.
 */
describe('a waited push whose NOSCRIPT answer comes after its latest send time', () => {
  let topology: RedisSentinel;
  let t: TestApp;
  let masterPort: number;
  const WAITED_TIMEOUT_MS = 2_000;

  beforeAll(async () => {
    topology = await startRedisSentinel();
    masterPort = (await topology.master()).port;
    t = await startTestApp({
      options: {
        redis: { url: `redis://127.0.0.1:${masterPort}` },
        commandTimeoutMs: WAITED_TIMEOUT_MS,
        // Four writes in flight at once, each sent at least 1 s before its deadline.
        waitForReplicas: { replicas: 1, timeoutMs: 150 },
      },
    });
  }, 30_000);
  afterAll(async () => {
    await t?.close();
    await topology?.stop();
  });

  it('is not re-sent: it rejects with RtRedisUnavailableError and its item is never written', async () => {
    const queue = t.rt.get(t.rt.createQueueName());
    await queue.push({ n: 0 });
    await send(masterPort, 'SCRIPT', 'FLUSH');
    // The server holds write commands (the EVALSHA) for 1.25 s, then answers NOSCRIPT:
    // after the push's latest send time (1 s before its deadline), before its deadline.
    await send(masterPort, 'CLIENT', 'PAUSE', 1_250, 'WRITE');
    const late = await queue.push({ n: 1 }).then(
      (entry) => new Error(`resolved with ${entry}: the EVAL went out after the latest send time`),
      (err: unknown) => err,
    );
    expect(late).toBeInstanceOf(RtRedisUnavailableError);
    // Turned away on the NOSCRIPT answer, not by the deadline.
    expect((late as Error).message).toMatch(/not cached, and no time was left/);
    // ...and the script loaded (SCRIPT LOAD writes nothing): were the writes queued behind
    // WAITs all to meet NOSCRIPT late, none would ever run again (seen after a failover).
    const connections = t.app.get(RedisConnections);
    const { sha } = scriptsFor(await connections.pubsubKind(connections.command)).push;
    await waitFor(
      async () => ((await send(masterPort, 'SCRIPT', 'EXISTS', sha)) as number[])[0] === 1,
      'the push script cached on the master',
    );

    // A later push re-sends its script in time; by its answer, anything sent before has run.
    await queue.push({ n: 2 });
    const record = await readRecord(masterPort, t.key(queue.name));
    expect(record.map((e) => e.n)).toEqual([0, 2]);
  });
});
