import { BullModule, Processor, WorkerHost } from '@nestjs/bullmq';
import { Queue, UnrecoverableError, type Job } from 'bullmq';
import request from 'supertest';
import { RtQueueService } from '../../lib/index.js';
import { signCancel } from '../../lib/security/cancel-grant.js';
import { UrlSigner } from '../../lib/security/url-signer.js';
import { bullTarget } from '../helpers/bull.js';
import { RawSseClient } from '../helpers/sse-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const bull = bullTarget(`prt-cancel-${process.pid}-${Date.now()}`);
const { connection, prefix: BULL_PREFIX } = bull;
/** Jobs that a worker of the first web instance runs (a processor as an app writes it). */
const RUN = 'cancel-run';
/** Jobs that no worker takes: they stay waiting. */
const WAIT = 'cancel-wait';

@Processor(RUN, { lockDuration: 1000, stalledInterval: 1000 })
class StoppableProcessor extends WorkerHost {
  constructor(private readonly rt: RtQueueService) {
    super();
  }

  async process(job: Job<{ ignoresSignal?: boolean }>, _token?: string, signal?: AbortSignal) {
    await this.rt.forJob(job).push({ n: 1 });
    if (job.data.ignoresSignal) {
      // Works on however it is asked, then finishes: its page says "cancelling" meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return;
    }
    await new Promise((_, reject) =>
      signal!.addEventListener('abort', () => reject(new UnrecoverableError('stopped')), {
        once: true,
      }),
    );
  }
}

describe('cancel from the page (e2e, BullMQ)', () => {
  let t: TestApp;
  let second: TestApp;
  const queues: Queue[] = [];
  const clients: RawSseClient[] = [];

  beforeAll(async () => {
    const imports = () => [
      BullModule.forRoot({ connection, prefix: BULL_PREFIX }),
      BullModule.registerQueue({ name: RUN }, { name: WAIT }),
    ];
    const options = { followJobs: [RUN, WAIT] };
    t = await startTestApp({ imports: imports(), options, providers: [StoppableProcessor] });
    // A second web instance without the worker: a cancel posted here reaches the first.
    second = await startTestApp({
      imports: imports(),
      options: { ...options, keyPrefix: t.prefix },
    });
    queues.push(...[RUN, WAIT].map((name) => new Queue(name, { connection, prefix: BULL_PREFIX })));
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.destroy();
  });
  afterAll(async () => {
    for (const queue of queues) await queue.obliterate({ force: true });
    await Promise.all(queues.map((queue) => queue.close()));
    await second?.close();
    await t?.close();
    await bull.close();
  });

  async function page(job: Job): Promise<RawSseClient> {
    const sse = await RawSseClient.open(`${t.url}${t.rt.jobUrls(job).sse}`);
    clients.push(sse);
    return sse;
  }
  /** What the page showed of the job, from its start (a worker may take it before it is told waiting). */
  const states = (sse: RawSseClient) =>
    sse.items
      .map((e) => JSON.parse(e.data!) as { state?: string; n?: number })
      .map((i) => i.state ?? `item ${i.n}`)
      .filter((state) => state !== 'waiting');
  const ending = (sse: RawSseClient) =>
    sse.events.filter((e) => e.event).map((e) => [e.event, e.data]);

  it('a running job, on another instance: its processor’s signal aborts, and the page ends as cancelled', async () => {
    const job = await queues[0]!.add('stop-me', {});
    const sse = await page(job);
    await sse.until(() => sse.items.find((e) => e.data!.includes('"n":1')), 'the job to run');
    const res = await request(second.url).post(second.rt.jobUrls(job).cancel);
    expect([res.status, res.body]).toEqual([202, { state: 'cancel-requested' }]);
    await sse.untilEnd();
    expect(states(sse)).toEqual(['active', 'item 1', 'cancelling']);
    expect(ending(sse)).toEqual([
      ['end', '{"reason":"cancelled","message":"Cancelled from the page"}'],
      ['close', 'cancelled'],
    ]);
  });

  it('a waiting job is removed, and its page ends as cancelled at once', async () => {
    const job = await queues[1]!.add('never-runs', {});
    const sse = await page(job);
    await sse.untilItems(1); // waiting
    const res = await request(t.url).post(t.rt.jobUrls(job).cancel);
    expect([res.status, res.body]).toEqual([202, { state: 'cancelled' }]);
    await sse.untilEnd();
    expect(await queues[1]!.getJob(job.id!)).toBeUndefined();
    expect(ending(sse).at(-1)).toEqual(['close', 'cancelled']);
  });

  it('a job that ignores its signal: the page says cancelling until the job ends, then ends as it did', async () => {
    const job = await queues[0]!.add('stubborn', { ignoresSignal: true });
    const sse = await page(job);
    await sse.until(() => sse.items.find((e) => e.data!.includes('"n":1')), 'the job to run');
    expect((await request(t.url).post(t.rt.jobUrls(job).cancel)).status).toBe(202);
    await sse.untilEnd();
    expect(states(sse)).toEqual(['active', 'item 1', 'cancelling']);
    expect(ending(sse)).toEqual([['close', 'complete']]);
  });

  it('refuses a forged, expired, cross-site or GET request, and an ended job (nothing cancelled)', async () => {
    const job = await queues[1]!.add('kept', {});
    const { cancel } = t.rt.jobUrls(job);
    const forged = cancel.replace(/sig=[^&]+/, 'sig=AAAA');
    const other = t.rt.jobUrls({ queueName: WAIT, id: 'other' }).cancel;
    const swapped = `${cancel.split('?')[0]}?${other.split('?')[1]}`;
    const name = t.rt.jobQueueName(job);
    const grant = {
      queue: name,
      job: WAIT,
      id: job.id!,
      expires: Math.floor(Date.now() / 1000) - 1,
    };
    const expired = `/pluto-rt/cancel/${name}?job=${WAIT}&id=${job.id}&exp=${grant.expires}&sig=${signCancel(t.app.get(UrlSigner), grant)}`;
    const answers = [
      await request(t.url).post(forged),
      await request(t.url).post(swapped),
      await request(t.url).post(expired),
      await request(t.url).post(cancel).set('Sec-Fetch-Site', 'cross-site'),
      await request(t.url).post(cancel).set('Origin', 'https://elsewhere.example'),
      await request(t.url).get(cancel),
      await request(t.url).post(cancel.replace(/&sig=[^&]+/, '')),
    ];
    expect(answers.map((res) => res.status)).toEqual([403, 403, 403, 403, 403, 404, 400]);
    expect(answers[2]!.text).toMatch(/expired/);
    expect(await (await queues[1]!.getJob(job.id!))?.getState()).toBe('waiting');
    // Same-origin from a browser passes.
    const ok = await request(t.url).post(cancel).set('Sec-Fetch-Site', 'same-origin');
    expect(ok.status).toBe(202);
    expect((await request(t.url).post(cancel)).status).toBe(409); // removed: nothing left
  });
});
