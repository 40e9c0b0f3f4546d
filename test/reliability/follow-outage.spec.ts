import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { Queue, Worker } from 'bullmq';
import { bullTarget } from '../helpers/bull.js';
import { RawSseClient } from '../helpers/sse-client.js';
import { StoppableRedis } from '../helpers/stoppable-redis.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

const QUEUE = 'follow-outage';
const bull = bullTarget(`prt-follow-outage-${process.pid}-${Date.now()}`);
const { connection, prefix: BULL_PREFIX } = bull;

/**
 * The module's Redis hangs (SIGSTOP, as in a failover or a restart) while BullMQ, on another
 * server, goes on: a job that fails for good meanwhile must still end its page once the
 * module's Redis answers again, not at the page's idle expiry a day later.
 */
describe('following jobs while the module’s Redis is out of reach', () => {
  let redis: StoppableRedis;
  let t: TestApp;
  let queue: Queue;
  let worker: Worker | undefined;

  beforeAll(async () => {
    redis = await StoppableRedis.start();
    t = await startTestApp({
      redis: redis.target,
      imports: [
        BullModule.forRoot({ connection, prefix: BULL_PREFIX }),
        BullModule.registerQueue({ name: QUEUE }),
      ],
      options: { followJobs: [QUEUE], commandTimeoutMs: 300 },
    });
    queue = new Queue(QUEUE, { connection, prefix: BULL_PREFIX });
  });
  afterAll(async () => {
    redis?.proc.resume();
    await worker?.close(true);
    await queue?.obliterate({ force: true });
    await queue?.close();
    await t?.close();
    await redis?.destroy();
    await bull.close();
  });

  it('a job that fails for good while it is away: its page ends as failed once it is back', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const job = await queue.add('doomed', {}, { attempts: 1 });
      worker = new Worker(
        QUEUE,
        async () => {
          await released;
          throw new Error('Disk full');
        },
        { connection, prefix: BULL_PREFIX },
      );
      await waitFor(async () => (await queue.getJob(job.id!))?.isActive(), 'the job to run');
      redis.proc.pause();
      release();
      await waitFor(
        () =>
          warn.mock.calls.some(([message]) =>
            /Could not tell job \d+ of follow-outage \(failed\)/.test(String(message)),
          ),
        'the ending to meet the hung Redis',
      );
      redis.proc.resume();
      const sse = await RawSseClient.open(`${t.url}${t.rt.jobUrls(job).sse}`);
      await sse.untilEnd();
      expect(sse.events.filter((e) => e.event).map((e) => [e.event, e.data])).toEqual([
        ['end', '{"reason":"failed","message":"Disk full"}'],
        ['close', 'failed'],
      ]);
    } finally {
      warn.mockRestore();
    }
  });
});
