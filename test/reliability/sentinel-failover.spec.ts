import type { PlutoRtModuleOptions } from '../../lib/index.js';
import { describeRun, runFailover } from './helpers/failover-run.js';
import { busyCounters } from './helpers/idle-stats.js';
import { watchProcess, type ProcessWatch } from './helpers/process-watch.js';
import { startRedisSentinel, type RedisSentinel } from '../helpers/redis-sentinel.js';
import { startTestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

const COMMAND_TIMEOUT_MS = 1_000;
/** Several times commandTimeoutMs, so that a loaded machine does not fail it (see the report). */
const NOT_HUNG_MS = COMMAND_TIMEOUT_MS * 4;
const QUEUES = 6;

/**
 * The master of a Sentinel deployment (a master, a replica, three sentinels) is SIGKILLed
 * while paced producers push onto 6 queues, each followed by an SSE client that never
 * reconnects (see runFailover). The module reaches Redis through the sentinels only.
 * Pushes during the gap reject in bounded time with RtRedisUnavailableError; nothing is
 * repeated; every stream resumes by itself and ends. With waitForReplicas no acknowledged
 * push is lost; without it, the loss is counted and reported. The killed node rejoins as
 * a replica after each run, so that the second run has a replica to promote.
 */
describe('Sentinel: master failover mid-stream', () => {
  let sentinel: RedisSentinel;
  let watch: ProcessWatch;

  beforeAll(async () => {
    sentinel = await startRedisSentinel();
  }, 30_000);
  afterAll(async () => {
    await sentinel?.stop();
  });
  beforeEach(() => {
    watch = watchProcess();
  });
  afterEach(() => watch.stop());

  async function failover(label: string, options: Partial<PlutoRtModuleOptions>) {
    const t = await startTestApp({
      options: {
        redis: { options: { sentinels: sentinel.sentinels, name: sentinel.name } },
        commandTimeoutMs: COMMAND_TIMEOUT_MS,
        ...options,
      },
    });
    try {
      let killed = 0;
      const names = Array.from({ length: QUEUES }, () => t.rt.createQueueName());
      const run = await runFailover(t, names, [], {
        kill: async () => {
          const { old, promoted, ms } = await sentinel.killMaster();
          killed = old.port;
          return { promotedPort: promoted.port, ms };
        },
        rejoin: () => sentinel.restartAsReplica(killed),
        masterOf: async () => (await sentinel.master()).port,
      });
      process.stdout.write(
        `[sentinel-failover] ${label}: ${describeRun(run, COMMAND_TIMEOUT_MS)}\n`,
      );
      const { tally } = run;
      expect([...tally.otherErrors, ...run.completeErrors].slice(0, 3)).toEqual([]);
      if (!options.waitForReplicas) expect(tally.notReplicated).toEqual([]);
      expect(tally.unavailable.length).toBeGreaterThan(0); // the failover did interrupt writes
      expect(run.maxUnavailableMs).toBeLessThanOrEqual(NOT_HUNG_MS);
      expect(tally.storedAfterUnavailable.writtenLater).toBe(0);
      expect(tally.repeatedInRecord).toBe(0);
      expect(tally.outOfOrderInRecord).toBe(0);
      expect(tally.repeatedAtClients).toBe(0);
      expect(tally.outOfOrderClients).toBe(0);
      expect(tally.missedByClients).toBe(0);
      await waitFor(() => t.rt.stats().streams === 0, 'streams released');
      expect(busyCounters(t.rt.stats())).toEqual({});
      expect(watch.rejections).toEqual([]);
      expect(watch.exceptions).toEqual([]);
      return run;
    } finally {
      await t.close();
    }
  }

  it('without waitForReplicas: pushes in the gap reject in bounded time, nothing repeated, streams resume and end; acknowledged losses reported', async () => {
    await failover('without waitForReplicas', {});
  }, 60_000);

  it('with waitForReplicas: no acknowledged push lost, none repeated; streams resume and end', async () => {
    const run = await failover('with waitForReplicas', {
      // 150 ms, not 50: a healthy replica on a loaded 2-core CI machine can take longer, and
      // the setup push of a lane must be confirmed.
      waitForReplicas: { replicas: 1, timeoutMs: 150 },
    });
    expect(run.tally.ackedLost).toBe(0);
  }, 60_000);
});
