import request from 'supertest';
import { RtCancelledError } from '../../lib/index.js';
import { CancelChannel } from '../../lib/jobs/cancel-channel.js';
import { RecordingRtQueueService } from '../../lib/testing/index.js';
import { RawSseClient } from '../helpers/sse-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/** Resolves with the signal's reason once it aborts. */
function aborted(signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(signal.reason), { once: true }),
  );
}

/** Work that no BullMQ job runs: its queue handle's `signal` is its cancel (RtQueue.signal). */
describe('cancel from the page, work without BullMQ (e2e)', () => {
  let web: TestApp;
  /** The process that runs the work: another instance of the app on the same Redis. */
  let worker: TestApp;
  const clients: RawSseClient[] = [];

  beforeAll(async () => {
    web = await startTestApp();
    worker = await startTestApp({ options: { keyPrefix: web.prefix } });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.destroy();
  });
  afterAll(async () => {
    await worker?.close();
    await web?.close();
  });

  async function page(name: string): Promise<RawSseClient> {
    const sse = await RawSseClient.open(`${web.url}${web.rt.rtUrls(name).sse}`);
    clients.push(sse);
    return sse;
  }
  const shown = (sse: RawSseClient) =>
    sse.items.map((e) => JSON.parse(e.data!) as { state?: string; n?: number });

  it('aborts the signal where the work runs; the page says cancelling, then ends as the work ends it', async () => {
    const name = web.rt.createQueueName();
    const queue = worker.rt.get(name);
    const signal = queue.signal; // asked before the first push: the work's own start
    await queue.push({ n: 1 });
    const sse = await page(name);
    await sse.untilItems(1);
    // The worker listens for cancels since its signal was asked for: the cancel below is
    // heard live (the next test covers one asked before).
    expect(await worker.app.get(CancelChannel).listen()).toBe(true);
    const res = await request(web.url).post(web.rt.cancelUrl(name));
    expect([res.status, res.body]).toEqual([202, { state: 'cancel-requested' }]);
    const reason = await aborted(signal);
    expect(reason).toBeInstanceOf(RtCancelledError);
    expect(worker.rt.get(name).signal.aborted).toBe(true); // every handle shares it
    await sse.untilItems(2);
    expect(shown(sse)).toEqual([{ n: 1 }, { type: 'job', state: 'cancelling' }]);
    await queue.end('cancelled', 'Stopped at your request');
    await sse.untilEnd();
    expect(sse.events.filter((e) => e.event).map((e) => [e.event, e.data])).toEqual([
      ['end', '{"reason":"cancelled","message":"Stopped at your request"}'],
      ['close', 'cancelled'],
    ]);
  });

  it('a cancel asked before the work looked at its signal still aborts it (Redis keeps the request)', async () => {
    const name = web.rt.createQueueName();
    await web.rt.get(name).push({ n: 1 });
    expect((await request(web.url).post(web.rt.cancelUrl(name))).status).toBe(202);
    // A second cancel is accepted, and told once.
    expect((await request(web.url).post(web.rt.cancelUrl(name))).status).toBe(202);
    const other = worker.rt.createQueueName();
    const late = worker.rt.get(name).signal;
    expect(await aborted(late)).toBeInstanceOf(RtCancelledError);
    expect(worker.rt.get(other).signal.aborted).toBe(false);
    const sse = await page(name);
    await sse.untilItems(2);
    expect(shown(sse)).toEqual([{ n: 1 }, { type: 'job', state: 'cancelling' }]);
  });

  it('refuses a forged or swapped signature, a job’s grant, a cross-site or GET request, and an ended queue', async () => {
    const name = web.rt.createQueueName();
    const queue = web.rt.get(name);
    await queue.push({ n: 1 });
    const cancel = web.rt.cancelUrl(name);
    const other = web.rt.cancelUrl(web.rt.createQueueName());
    const swapped = `${cancel.split('?')[0]}?${other.split('?')[1]}`;
    // A job's grant for the same queue name is not a queue's grant, nor the reverse.
    const jobGrant = web.rt.jobUrls({ queueName: 'jobs', id: '1' }).cancel;
    const asJob = `/pluto-rt/cancel/${name}?${jobGrant.split('?')[1]}`;
    const answers = [
      await request(web.url).post(cancel.replace(/sig=[^&]+/, 'sig=AAAA')),
      await request(web.url).post(swapped),
      await request(web.url).post(asJob),
      await request(web.url).post(`${cancel}&job=jobs`),
      await request(web.url).post(cancel).set('Sec-Fetch-Site', 'cross-site'),
      await request(web.url).get(cancel),
      await request(web.url).post(
        cancel.replace(/^\/pluto-rt\/cancel\/[^?]+/, '/pluto-rt/cancel/bad..name'),
      ),
    ];
    expect(answers.map((res) => res.status)).toEqual([403, 403, 403, 400, 403, 404, 400]);
    expect(await web.redis.exists(`${web.key(name)}:cancel`)).toBe(0);
    await queue.complete();
    const ended = await request(web.url).post(cancel);
    expect(ended.status).toBe(409);
  });

  it('the testing recorder cancels a queue as its page would', () => {
    const recorder = new RecordingRtQueueService({ secret: 'x'.repeat(32) });
    const name = recorder.createQueueName();
    const signal = recorder.get(name).signal;
    expect(recorder.cancel(name)).toBe(true);
    expect(signal.reason).toBeInstanceOf(RtCancelledError);
    expect(recorder.cancel(recorder.createQueueName())).toBe(false);
    expect(recorder.cancelUrl(name)).toMatch(
      new RegExp(`^/pluto-rt/cancel/${name}\\?exp=\\d+&sig=`),
    );
  });
});
