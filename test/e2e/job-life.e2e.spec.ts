import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { BullModule } from '@nestjs/bullmq';
import { Queue, Worker, type Job } from 'bullmq';
import { Test } from '@nestjs/testing';
import { PlutoRtModule, type RtJobItem } from '../../lib/index.js';
import { bullTarget } from '../helpers/bull.js';
import { projectRedis } from '../helpers/topology.js';
import { RawSseClient } from '../helpers/sse-client.js';
import { startTestApp, TEST_SECRET, type TestApp } from '../helpers/test-app.js';

const HANGING_WORKER = fileURLToPath(new URL('./support/hanging-worker.mjs', import.meta.url));
/**
 * A BullMQ queue per test: a worker closed after a test can still take one job (on a
 * cluster, its blocking command returns after close(), and the shared connection runs
 * the move to active), which would stall there and disturb the next test.
 */
const QUEUES = ['life-0', 'life-1', 'life-2', 'life-3', 'life-4'];
const bull = bullTarget(`prt-life-${process.pid}-${Date.now()}`);
const { connection, prefix: BULL_PREFIX } = bull;

/** What a page of a job shows: its JSON items as the job pushed them and the module told. */
type Shown = RtJobItem | { n: number; attempt: number };
const jobItems = (shown: Shown[]) =>
  shown.filter((item): item is RtJobItem => 'type' in item && item.type === 'job');
const brief = (shown: Shown[]) =>
  shown.map((item) =>
    'type' in item
      ? `${item.state}${item.attempt ? ` ${item.attempt}/${item.attempts}` : ''}`
      : `item ${item.attempt}.${item.n}`,
  );

describe('following a job’s life (e2e, BullMQ)', () => {
  let t: TestApp;
  let second: TestApp;
  /** The current test's queue and its name. */
  let queue: Queue;
  let QUEUE: string;
  let tests = 0;
  const queues = new Map<string, Queue>();
  const workers: Worker[] = [];
  const clients: RawSseClient[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    const imports = () => [
      BullModule.forRoot({ connection, prefix: BULL_PREFIX }),
      BullModule.registerQueue(...QUEUES.map((name) => ({ name }))),
    ];
    t = await startTestApp({ imports: imports(), options: { followJobs: QUEUES } });
    // A second web instance on the same Redis and prefix: every transition is still told once.
    second = await startTestApp({
      imports: imports(),
      options: { followJobs: QUEUES, keyPrefix: t.prefix },
    });
    for (const name of QUEUES)
      queues.set(name, new Queue(name, { connection, prefix: BULL_PREFIX }));
  });
  beforeEach(() => {
    QUEUE = QUEUES[tests++]!;
    queue = queues.get(QUEUE)!;
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await Promise.all(workers.splice(0).map((w) => w.close(true)));
  });
  afterAll(async () => {
    for (const q of queues.values()) {
      await q.obliterate({ force: true });
      await q.close();
    }
    await second?.close();
    await t?.close();
    await bull.close();
  });

  /** A worker whose processor pushes `lines` items per run, then does what `run` says. */
  function worker(lines: number, run: (job: Job) => void, options: object = {}): Worker {
    const w = new Worker(
      QUEUE,
      async (job) => {
        const rtq = t.rt.forJob(job);
        for (let n = 1; n <= lines; n++) await rtq.push({ n, attempt: job.attemptsMade + 1 });
        run(job);
      },
      // Every worker checks for stalls each second: the check's lock is the interval of the
      // last worker that ran it (30 s by default would hold off the others). Their own locks
      // last 5 s: a live job must not stall on a busy machine (the killed worker's last 1 s).
      { connection, prefix: BULL_PREFIX, lockDuration: 5000, stalledInterval: 1000, ...options },
    );
    workers.push(w);
    return w;
  }

  /** Opens the job's page (JSON) once it says the job waits: no worker has taken it yet. */
  async function waitingPage(job: Job): Promise<RawSseClient> {
    const sse = await RawSseClient.open(`${t.url}${t.rt.jobUrls(job).sse}`);
    clients.push(sse);
    await sse.untilItems(1);
    expect(JSON.parse(sse.items[0]!.data!)).toEqual({ type: 'job', state: 'waiting' });
    return sse;
  }

  /** What the page showed once its stream ended. */
  async function shownBy(sse: RawSseClient): Promise<Shown[]> {
    await sse.untilEnd(15_000);
    return sse.items.map((e) => JSON.parse(e.data!) as Shown);
  }

  it('retries: each attempt starts with a line naming it, its items follow it, and the stream ends when the job completes', async () => {
    const job = await queue.add(
      'retried',
      {},
      { attempts: 3, backoff: { type: 'fixed', delay: 100 } },
    );
    const sse = await waitingPage(job);
    worker(2, (run) => {
      if (run.attemptsMade < 2) throw new Error(`Attempt ${run.attemptsMade + 1} broke`);
    });
    const shown = await shownBy(sse);
    expect(brief(shown)).toEqual([
      'waiting',
      'active 1/3',
      'item 1.1',
      'item 1.2',
      'retrying 1/3',
      'active 2/3',
      'item 2.1',
      'item 2.2',
      'retrying 2/3',
      'active 3/3',
      'item 3.1',
      'item 3.2',
    ]);
    const retries = jobItems(shown).filter((item) => item.state === 'retrying');
    expect(retries.map((r) => r.reason)).toEqual(['Attempt 1 broke', 'Attempt 2 broke']);
    expect(retries.every((r) => typeof r.at === 'number')).toBe(true);
    // Completed without complete(): the module ended the stream.
    expect(sse.events.at(-1)).toMatchObject({ event: 'close', data: 'complete' });
  });

  it('fails for good: the stream ends as failed, with the reason', async () => {
    const job = await queue.add('doomed', {}, { attempts: 2 });
    const sse = await waitingPage(job);
    worker(1, () => {
      throw new Error('Disk full\n    at stack line');
    });
    const shown = await shownBy(sse);
    expect(brief(shown)).toEqual([
      'waiting',
      'active 1/2',
      'item 1.1',
      'retrying 1/2',
      'active 2/2',
      'item 2.1',
      'failed 2/2',
    ]);
    expect(sse.events.filter((e) => e.event).map((e) => [e.event, e.data])).toEqual([
      ['end', '{"reason":"failed","message":"Disk full"}'],
      ['close', 'failed'],
    ]);
  });

  it('a worker killed mid-job: the page learns it when BullMQ sees the stall, then the next run shows and ends', async () => {
    const job = await queue.add('killed', {});
    const child = spawn(process.execPath, [HANGING_WORKER, bull.processArg, BULL_PREFIX, QUEUE], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    await once(child.stdout!, 'data');
    const sse = await RawSseClient.open(`${t.url}${t.rt.jobUrls(job).sse}`);
    clients.push(sse);
    await sse.untilItems(2); // waiting, active 1/1 (told by the followers; nothing pushed yet)
    child.kill('SIGKILL');
    const killedAt = Date.now();
    // A live worker: its stall check (every second) finds the job once its lock (1 s) expired.
    // (BullMQ's defaults are 30 s each: a page learns within stalledInterval + lockDuration.)
    worker(1, () => undefined);
    const stalled = await sse.until(
      () => sse.items.find((e) => e.data!.includes('"state":"stalled"')),
      'the stall to be told',
      10_000,
    );
    expect(stalled).toBeDefined();
    expect(Date.now() - killedAt).toBeLessThan(1000 + 1000 + 2000 + 1000);
    await sse.untilEnd(10_000);
    const shown = sse.items.map((e) => JSON.parse(e.data!) as Shown);
    expect(brief(shown)).toEqual([
      'waiting',
      'active 1/1',
      'stalled 1/1',
      'active 1/1',
      'item 1.1',
    ]);
  });

  it('a followed queue the app does not register is a boot error that says how to register it', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        PlutoRtModule.forRoot({
          redis: projectRedis().option,
          secret: TEST_SECRET,
          keyPrefix: t.prefix,
          followJobs: ['nowhere'],
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    try {
      await expect(app.init()).rejects.toThrow(
        /followJobs" names BullMQ queue "nowhere".*BullModule.registerQueue\(\{ name: 'nowhere' \}\)/,
      );
    } finally {
      await app.close();
    }
  });

  it('two web instances and two workers: every transition is told once', async () => {
    const job = await queue.add('twice-followed', {}, { attempts: 2 });
    const sse = await waitingPage(job);
    for (let w = 0; w < 2; w++)
      worker(1, (run) => {
        if (run.attemptsMade < 1) throw new Error('again');
      });
    const shown = await shownBy(sse);
    const states = jobItems(shown).map((item) => `${item.state} ${item.attempt ?? ''}`);
    expect(states).toEqual(['waiting ', 'active 1', 'retrying 1', 'active 2']);
  });
});
