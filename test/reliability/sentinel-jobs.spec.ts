import { BullModule, Processor, WorkerHost } from '@nestjs/bullmq';
import { Queue, UnrecoverableError, type Job } from 'bullmq';
import request from 'supertest';
import { RtCancelledError, RtQueueService, type PlutoRtRedisOptions } from '../../lib/index.js';
import { CancelChannel } from '../../lib/jobs/cancel-channel.js';
import { startRedisSentinel, type RedisSentinel } from '../helpers/redis-sentinel.js';
import { RawSseClient } from '../helpers/sse-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

/** The BullMQ queue the suite's jobs run on, and its key prefix. */
const RUN = 'sentinel-jobs';
const BULL_PREFIX = `prt-sentinel-jobs-${process.pid}`;
const COMMAND_TIMEOUT_MS = 1_000;

interface RunData {
  /** Pushed by each attempt before it decides. */
  lines: number;
  /** Attempts below this one throw (a retry at once: no backoff). */
  succeedsAt?: number;
  /** Runs until its page cancels it. */
  untilCancelled?: boolean;
  /** Waits for the test's release (see `releases`), then pushes one more line. */
  held?: boolean;
}

/**
 * Held jobs: the test releases one (by id) once the failover is over. A run that starts
 * after its release (BullMQ ran the job again) does not wait.
 */
const held = {
  released: new Set<string>(),
  waiting: new Map<string, Array<() => void>>(),
  until(id: string): Promise<void> {
    if (this.released.has(id)) return Promise.resolve();
    return new Promise((resolve) =>
      this.waiting.set(id, [...(this.waiting.get(id) ?? []), resolve]),
    );
  },
  release(id: string): void {
    this.released.add(id);
    for (const resolve of this.waiting.get(id) ?? []) resolve();
    this.waiting.delete(id);
  },
};

/** A processor as an app writes one; it runs in the first web instance only. */
@Processor(RUN, { lockDuration: 5000, stalledInterval: 1000 })
class SentinelProcessor extends WorkerHost {
  constructor(private readonly rt: RtQueueService) {
    super();
  }

  async process(job: Job<RunData>, _token?: string, signal?: AbortSignal): Promise<void> {
    const attempt = job.attemptsMade + 1;
    const rtq = this.rt.forJob(job);
    for (let n = 1; n <= job.data.lines; n++) await rtq.push({ n, attempt });
    if (attempt < (job.data.succeedsAt ?? 0)) throw new Error(`Attempt ${attempt} broke`);
    if (job.data.untilCancelled)
      await new Promise((_, reject) =>
        signal!.addEventListener('abort', () => reject(new UnrecoverableError('stopped')), {
          once: true,
        }),
      );
    if (job.data.held) {
      await held.until(job.id!);
      await rtq.push({ n: job.data.lines + 1, attempt });
    }
  }
}

/** Resolves with the signal's reason once it aborts. */
function aborted(signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(signal.reason), { once: true }),
  );
}

type Shown = { type: 'job'; state: string; attempt?: number } | { n: number; attempt: number };
const shown = (sse: RawSseClient) => sse.items.map((e) => JSON.parse(e.data!) as Shown);
/** The page as lines; `waiting` left out (a worker may take the job before it is told). */
const brief = (sse: RawSseClient) =>
  shown(sse)
    .map((item) =>
      'type' in item
        ? `${item.state} ${item.attempt ?? ''}`.trim()
        : `item ${item.attempt}.${item.n}`,
    )
    .filter((line) => line !== 'waiting');
const ending = (sse: RawSseClient) =>
  sse.events.filter((e) => e.event).map((e) => [e.event, e.data]);

/**
 * The job features through Sentinel (a master, a replica, three sentinels): the module and
 * BullMQ reach Redis through the sentinels only, with two web instances (the first runs the
 * processor; pages are opened on the second, which runs none): following with retries,
 * cancel of a running job and of a queue's signal across instances, and a job followed
 * across a master failover.
 */
describe('Sentinel: following and cancelling jobs', () => {
  let sentinel: RedisSentinel;
  let web: TestApp;
  let other: TestApp;
  let queue: Queue;
  const clients: RawSseClient[] = [];

  beforeAll(async () => {
    sentinel = await startRedisSentinel('pluto-rt-jobs');
    const redis: PlutoRtRedisOptions = {
      options: { sentinels: sentinel.sentinels, name: sentinel.name },
    };
    const connection = { sentinels: sentinel.sentinels, name: sentinel.name };
    const imports = () => [
      BullModule.forRoot({ connection, prefix: BULL_PREFIX }),
      BullModule.registerQueue({ name: RUN }),
    ];
    const options = { redis, commandTimeoutMs: COMMAND_TIMEOUT_MS, followJobs: [RUN] };
    web = await startTestApp({ imports: imports(), options, providers: [SentinelProcessor] });
    other = await startTestApp({
      imports: imports(),
      options: { ...options, keyPrefix: web.prefix },
    });
    queue = new Queue(RUN, { connection, prefix: BULL_PREFIX });
    queue.on('error', () => undefined); // its reconnects during the failover
  }, 30_000);
  afterEach(() => {
    for (const client of clients.splice(0)) client.destroy();
  });
  afterAll(async () => {
    for (const id of [...held.waiting.keys()]) held.release(id);
    await queue?.close();
    await other?.close();
    await web?.close();
    await sentinel?.stop();
  });

  async function page(job: Job): Promise<RawSseClient> {
    const sse = await RawSseClient.open(`${other.url}${other.rt.jobUrls(job).sse}`);
    clients.push(sse);
    return sse;
  }

  it('retries at once, followed by both instances: each attempt is named once, before its items, and the page ends', async () => {
    const job = await queue.add('retried', { lines: 1, succeedsAt: 3 }, { attempts: 3 });
    const sse = await page(job);
    await sse.untilEnd(15_000);
    expect(brief(sse)).toEqual([
      'active 1',
      'item 1.1',
      'retrying 1',
      'active 2',
      'item 2.1',
      'retrying 2',
      'active 3',
      'item 3.1',
    ]);
    expect(ending(sse)).toEqual([['close', 'complete']]);
  });

  it('a cancel posted to the instance without the worker stops the job where it runs', async () => {
    const job = await queue.add('stop-me', { lines: 1, untilCancelled: true });
    const sse = await page(job);
    await sse.until(() => sse.items.find((e) => e.data!.includes('"n":1')), 'the job to run');
    const res = await request(other.url).post(other.rt.jobUrls(job).cancel);
    expect([res.status, res.body]).toEqual([202, { state: 'cancel-requested' }]);
    await sse.untilEnd();
    expect(brief(sse)).toEqual(['active 1', 'item 1.1', 'cancelling 1']);
    expect(ending(sse)).toEqual([
      ['end', '{"reason":"cancelled","message":"Cancelled from the page"}'],
      ['close', 'cancelled'],
    ]);
  });

  it('a queue’s cancel posted to one instance aborts the signal of its handle in the other', async () => {
    const name = web.rt.createQueueName();
    const handle = web.rt.get(name);
    const signal = handle.signal;
    await handle.push({ n: 1 });
    // Heard live, over the sentinels' master (a cancel asked before is kept in Redis too).
    expect(await web.app.get(CancelChannel).listen()).toBe(true);
    const res = await request(other.url).post(other.rt.cancelUrl(name));
    expect([res.status, res.body]).toEqual([202, { state: 'cancel-requested' }]);
    expect(await aborted(signal)).toBeInstanceOf(RtCancelledError);
    await handle.end('cancelled', 'Stopped');
    const sse = await RawSseClient.open(`${other.url}${other.rt.rtUrls(name).sse}`);
    clients.push(sse);
    await sse.untilEnd();
    expect(shown(sse)).toEqual([{ n: 1 }, { type: 'job', state: 'cancelling' }]);
  });

  it('a job followed across a master failover: its page resumes by itself and ends, nothing repeated', async () => {
    const job = await queue.add('held', { lines: 1, held: true });
    const sse = await page(job);
    await sse.until(() => sse.items.find((e) => e.data!.includes('"n":1')), 'the job to run');
    await sentinel.killMaster();
    // Both instances write through the new master before the job goes on.
    for (const app of [web, other])
      await waitFor(
        () =>
          app.rt
            .get(app.rt.createQueueName())
            .push({ probe: true })
            .then(() => true),
        'a push through the new master',
        20_000,
      );
    held.release(job.id!);
    await sse.untilEnd(20_000);
    // The failover may have cost the job its lock (BullMQ then runs it again: a stall); what
    // the page shows is still each line once, in order, and the last run's items.
    const lines = brief(sse);
    expect(lines.slice(0, 2)).toEqual(['active 1', 'item 1.1']);
    expect(lines.at(-1)).toBe('item 1.2');
    const ids = sse.items.map((e) => e.id!);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ending(sse)).toEqual([['close', 'complete']]);
  }, 60_000);
});
