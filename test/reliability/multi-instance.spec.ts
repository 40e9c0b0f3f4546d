import { itemsOfEvents } from '../helpers/merged-events.js';
import request from 'supertest';
import { busyCounters } from './helpers/idle-stats.js';
import { deliveryReport, exactlyOnceInOrder } from './helpers/delivery-report.js';
import { ResumingEventSource } from './helpers/resuming-event-source.js';
import { testPrefix } from '../helpers/redis.js';
import { subscriptionsOf as subscriptionsOfConnections } from '../helpers/redis-inspect.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

const MESSAGES = 300;

interface PollPage {
  items: Array<{ id: string; item: { n: number } }>;
  cursor: string;
  complete: boolean;
}

/**
 * Two app instances (two ports) behind one Redis, key prefix and secret, as behind a load
 * balancer: a job pushing through A is seen whole and in order from both.
 */
describe('multiple instances', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const keyPrefix = testPrefix();
    [a, b] = await Promise.all([
      startTestApp({ options: { keyPrefix, sseRetryMs: 100 } }),
      startTestApp({ options: { keyPrefix, sseRetryMs: 100 } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  /**
   * The channels each of `t`'s Redis connections is subscribed to (CLIENT LIST), by
   * its clientName: the command connection and the reader, in any order.
   */
  const subscriptionsOf = (t: TestApp) => subscriptionsOfConnections(t.redis, t.clientName);

  /** Follows B's JSON poll chain from the start until the queue completes. */
  async function pollToEnd(poll: string): Promise<{ ids: string[]; requests: number }> {
    const ids: string[] = [];
    let cursor = '';
    for (let requests = 1; ; requests++) {
      const res = await request(b.url).get(`${poll}&count=37${cursor ? `&after=${cursor}` : ''}`);
      if (res.status === 204) continue; // nothing new yet: poll again, as a page would
      expect(res.status).toBe(200);
      const page = res.body as PollPage;
      ids.push(...page.items.map((i) => i.id));
      cursor = page.cursor;
      if (page.complete) return { ids, requests };
    }
  }

  it(`${MESSAGES} messages pushed through A reach SSE consumers on A and B and a poller on B, complete and in order`, async () => {
    expect(a.url).not.toBe(b.url);
    const name = a.rt.createQueueName();
    const queue = a.rt.get(name);
    const ids = [await queue.push({ n: 0, text: 'm0' })];
    // URLs signed by A are valid on B: the secret is shared.
    const { sse } = a.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' });
    const onA = new ResumingEventSource(a.url + sse);
    const onB = new ResumingEventSource(b.url + sse);
    const polled = pollToEnd(a.rt.rtUrls(name).poll);
    let lateOnB: ResumingEventSource | undefined;
    for (let n = 1; n < MESSAGES; n++) {
      ids.push(await queue.push({ n, text: `m${n}` }));
      if (n === MESSAGES / 2) lateOnB = new ResumingEventSource(b.url + sse); // joins mid-job
    }
    // While the job runs, each instance serves its own streams (A one, B two) through its
    // own reader: one subscriber per instance on the queue's channel.
    await waitFor(
      () => b.rt.stats().streams === 2 && a.rt.stats().streams === 1,
      "B's two streams and A's one to be open",
    );
    expect({
      subscribersOfChannel: await a.subscribers(name),
      a: await subscriptionsOf(a),
      b: await subscriptionsOf(b),
    }).toEqual({ subscribersOfChannel: 2, a: [0, 1], b: [0, 1] });
    expect(a.rt.stats()).toMatchObject({ streams: 1, queues: 1 });
    expect(b.rt.stats()).toMatchObject({ streams: 2, queues: 1 });

    await queue.complete();
    const consumers = { sseA: onA, sseB: onB, lateSseB: lateOnB! };
    await Promise.all(Object.values(consumers).map((c) => c.untilClosed(20_000)));
    const { ids: polledIds, requests } = await polled;

    const reports = {
      ...Object.fromEntries(
        Object.entries(consumers).map(([key, c]) => [
          key,
          deliveryReport(
            ids,
            itemsOfEvents(c.messages, (n) => ids[n]).map((item) => item.id),
          ),
        ]),
      ),
      pollB: deliveryReport(ids, polledIds),
    };
    process.stdout.write(
      `[multi-instance] ${JSON.stringify(reports)} (poller made ${requests} requests)\n`,
    );
    for (const report of Object.values(reports))
      expect(report).toEqual(exactlyOnceInOrder(MESSAGES));
    for (const c of Object.values(consumers)) expect(c.closeData).toBe('complete');
    // Each instance let go of its streams and its reader's subscription.
    expect(busyCounters(a.rt.stats())).toEqual({});
    expect(busyCounters(b.rt.stats())).toEqual({});
    await waitFor(
      async () =>
        (await subscriptionsOf(a)).join() === '0,0' && (await subscriptionsOf(b)).join() === '0,0',
      'both readers to unsubscribe',
    );
  });
});
