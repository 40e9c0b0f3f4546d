import { itemsOfEvents } from '../helpers/merged-events.js';
import { CuttingProxy } from './helpers/cutting-proxy.js';
import { busyCounters } from './helpers/idle-stats.js';
import { deliveryReport, exactlyOnceInOrder } from './helpers/delivery-report.js';
import { ResumingEventSource } from './helpers/resuming-event-source.js';
import { seededRng, suiteSeed } from './helpers/seeded-rng.js';
import { ServerSockets } from './helpers/server-sockets.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const TRIALS = 20;
const MESSAGES = 500;

/**
 * An EventSource whose connection is cut at random points while a job pushes 500 messages:
 * by the server (its socket destroyed) or by a proxy that truncates what the server sent in
 * the middle of an event. It must resume with Last-Event-ID and end with the 500, in order.
 */
describe('reconnect with Last-Event-ID under random cuts', () => {
  let t: TestApp;
  let proxy: CuttingProxy;
  let sockets: ServerSockets;
  const rng = seededRng(suiteSeed('reconnect'));

  beforeAll(async () => {
    t = await startTestApp({ options: { sseRetryMs: 100 } });
    sockets = new ServerSockets(t.app.getHttpServer());
    proxy = await CuttingProxy.start(Number(new URL(t.url).port));
  });
  afterAll(async () => {
    await proxy.close();
    await t.close();
  });

  it(`delivers ${MESSAGES} messages exactly once, in order, in each of ${TRIALS} trials with cuts at random points`, async () => {
    const totals = {
      pushed: 0,
      received: 0,
      lost: 0,
      duplicated: 0,
      serverCuts: 0,
      midEventCuts: 0,
      reconnects: 0,
    };
    for (let trial = 0; trial < TRIALS; trial++) {
      // 1 to 3 cuts per trial, each before a random push (MESSAGES = after the last one).
      const cuts = new Map<number, 'server' | 'mid-event'>();
      const cutCount = rng.int(1, 3);
      while (cuts.size < cutCount)
        cuts.set(rng.int(2, MESSAGES), rng.pick(['server', 'mid-event'] as const));

      const name = t.rt.createQueueName();
      const queue = t.rt.get(name);
      const ids = [await queue.push({ n: 0, text: 'm0' })];
      const source = new ResumingEventSource(
        proxy.url + t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' }).sse,
      );
      await source.until(() => source.messages.length > 0, 'the first message');

      for (let n = 1; n <= MESSAGES; n++) {
        const cut = cuts.get(n);
        if (cut === 'server') totals.serverCuts += sockets.destroyAll() > 0 ? 1 : 0;
        if (cut === 'mid-event') {
          // Anywhere inside the next chunk, which usually holds an `id:` line and its data.
          proxy.cutNextChunkAt(rng.int(0, 60));
          totals.midEventCuts++;
        }
        if (n < MESSAGES) ids.push(await queue.push({ n, text: `m${n}` }));
      }
      await queue.complete();
      await source.untilClosed(20_000);
      proxy.disarm(); // a cut armed after the last chunk must not hit the next trial

      const items = itemsOfEvents(source.messages, (n) => ids[n]);
      const report = deliveryReport(
        ids,
        items.map((item) => item.id),
      );
      const shown = items.map((item) => item.n);
      // Each reconnect asked for what came after the last message it had received.
      const resumes = source.requests.slice(1);
      totals.pushed += report.pushed;
      totals.received += report.received;
      totals.lost += report.lost;
      totals.duplicated += report.duplicated;
      totals.reconnects += resumes.length;
      const context = `trial ${trial} (seed ${rng.seed}), cuts ${JSON.stringify([...cuts])}`;
      expect({ context, ...report }).toEqual({ context, ...exactlyOnceInOrder(MESSAGES) });
      expect(shown).toEqual(ids.map((_, n) => n));
      for (const request of resumes) expect(request.lastEventIdHeader).toBe(request.lastReceivedId);
      expect(source.closeData).toBe('complete');
    }
    process.stdout.write(`[reconnect] ${JSON.stringify(totals)}\n`);
    // The cuts happened: at least one reconnect per cut that found a connection.
    expect(totals.reconnects).toBeGreaterThanOrEqual(TRIALS);
    expect(proxy.cuts + totals.serverCuts).toBeGreaterThanOrEqual(TRIALS);
    expect(busyCounters(t.rt.stats())).toEqual({});
  }, 120_000);
});
