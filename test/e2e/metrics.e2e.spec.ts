import http from 'node:http';
import { Counter, register, Registry } from 'prom-client';
import request from 'supertest';
import { RtOptionsError } from '../../lib/index.js';
import { loadMetrics } from '../../lib/metrics/load-metrics.js';
import { NO_METRICS } from '../../lib/metrics/rt-metrics.js';
import { PLUTO_RT_METRICS } from '../../lib/pluto-rt.constants.js';
import { parsePromText, sampleValue, typeLines } from '../helpers/prom-text.js';
import { RawSseClient } from '../helpers/sse-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

const FAMILIES = 10;
const ITEM_TEMPLATE = 'pluto_rt/list_item';

async function scrape(registry: Registry) {
  const text = await registry.metrics();
  const samples = parsePromText(text);
  return {
    text,
    value: (name: string, labels: Record<string, string> = {}) =>
      sampleValue(samples, `pluto_rt_${name}`, labels),
  };
}

/** Each family once, and each sample line once: nothing registered twice. */
function expectNoDuplicates(text: string): void {
  const types = typeLines(text);
  expect(new Set(types).size).toBe(types.length);
  const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  const keys = lines.map((l) => l.slice(0, l.lastIndexOf(' ')));
  expect(new Set(keys).size).toBe(keys.length);
}

/**
 * Prometheus metrics through prom-client, scraped from the registry that several apps of
 * one process share (as tests, or an app restarted in place, do): counts exact.
 */
describe('metrics', () => {
  const registry = new Registry();
  const apps: TestApp[] = [];
  const start = async (options: Parameters<typeof startTestApp>[0] = {}) => {
    const t = await startTestApp(options);
    apps.push(t);
    return t;
  };
  const metricsIn = (reg: Registry | true, extra = {}) => ({
    options: { metrics: reg === true ? true : { registry: reg }, maxMessageBytes: 256, ...extra },
  });
  afterAll(async () => {
    for (const t of apps.splice(0)) await t.close().catch(() => undefined);
  });

  it('counts pushes by outcome, delivered items and stream durations exactly, over two apps', async () => {
    const a = await start(metricsIn(registry));
    const b = await start(metricsIn(registry));
    const [qa, qb] = [a.rt.createQueueName(), b.rt.createQueueName()];
    const sseA = await RawSseClient.open(
      a.url + a.rt.rtUrls(qa, { itemTemplate: ITEM_TEMPLATE }).sse,
    );
    const sseB = await RawSseClient.open(
      b.url + b.rt.rtUrls(qb, { itemTemplate: ITEM_TEMPLATE }).sse,
    );
    const queueA = a.rt.get(qa);
    for (let n = 1; n <= 5; n++) await queueA.push({ n, text: `a${n}` });
    for (let n = 1; n <= 3; n++) await b.rt.get(qb).push({ n, text: `b${n}` });
    await expect(queueA.push({ n: 6, text: 'x'.repeat(300) })).rejects.toThrow(/maxMessageBytes/);
    await expect(queueA.push({ n: 7n })).rejects.toThrow(/bigint/);
    await queueA.complete();
    await b.rt.get(qb).complete();
    await expect(queueA.push({ n: 8 })).rejects.toThrow(/is complete/);
    await sseA.untilEnd();
    await sseB.untilEnd();
    // Items ready together may share one event (a merged burst): count the items.
    expect(sseA.listItems.map((item) => item.n)).toEqual([1, 2, 3, 4, 5]);
    expect(sseB.listItems.map((item) => item.n)).toEqual([1, 2, 3]);
    const poll = await request(a.url).get(a.rt.rtUrls(qa).poll);
    expect(poll.status).toBe(200);
    expect((poll.body as { items: unknown[] }).items).toHaveLength(5);
    await waitFor(() => a.rt.stats().sseStreams + b.rt.stats().sseStreams === 0, 'streams closed');

    const m = await scrape(registry);
    expect(m.value('pushes_total', { outcome: 'ok' })).toBe(8);
    expect(m.value('pushes_total', { outcome: 'RtMessageTooLargeError' })).toBe(1);
    expect(m.value('pushes_total', { outcome: 'RtSerializationError' })).toBe(1);
    expect(m.value('pushes_total', { outcome: 'RtQueueCompleteError' })).toBe(1);
    for (const outcome of [
      'RtPlacementError',
      'RtQueueFullError',
      'RtRedisUnavailableError',
      'RtNotReplicatedError',
      'other',
    ])
      expect(m.value('pushes_total', { outcome })).toBe(0);
    expect(m.value('push_duration_seconds_count')).toBe(11);
    expect(m.value('delivered_events_total', { transport: 'sse' })).toBe(8);
    expect(m.value('delivered_events_total', { transport: 'poll' })).toBe(5);
    expect(m.value('sse_stream_duration_seconds_count')).toBe(2);
    // Each stream read its queue once as it opened (more only if it missed a message).
    expect(m.value('catch_up_reads_total')).toBeGreaterThanOrEqual(2);
    expect(m.value('slow_clients_dropped_total')).toBe(0);
    expect(m.value('reader_reconnects_total')).toBe(0);
    expect(m.value('open_streams')).toBe(0);
    expect(m.value('sse_connections')).toBe(0);
    expect(m.value('watched_queues')).toBe(0);
    expect(typeLines(m.text)).toHaveLength(FAMILIES);
    expectNoDuplicates(m.text);
  });

  it('shows open streams, SSE connections and watched queues while they are open', async () => {
    const t = apps[0]!;
    const name = t.rt.createQueueName();
    await t.rt.get(name).push({ n: 1, text: 'one' });
    const url = t.url + t.rt.rtUrls(name).sse;
    const clients = [await RawSseClient.open(url), await RawSseClient.open(url)];
    await Promise.all(clients.map((c) => c.untilItems(1)));
    const m = await scrape(registry);
    expect([
      m.value('open_streams'),
      m.value('sse_connections'),
      m.value('watched_queues'),
    ]).toEqual([2, 2, 1]);
    for (const c of clients) c.destroy();
    await waitFor(
      async () => (await scrape(registry)).value('sse_connections') === 0,
      'gauges back to 0',
    );
    // Tabs that close are not slow clients.
    expect((await scrape(registry)).value('slow_clients_dropped_total')).toBe(0);
  });

  it('keeps its counts, and registers nothing twice, when an app restarts in the same process', async () => {
    const before = await scrape(registry);
    const ok = before.value('pushes_total', { outcome: 'ok' })!;
    const delivered = before.value('delivered_events_total', { transport: 'sse' })!;
    await apps.shift()!.close();
    const again = await start(metricsIn(registry));
    const name = again.rt.createQueueName();
    const sse = await RawSseClient.open(again.url + again.rt.rtUrls(name).sse);
    await again.rt.get(name).push({ n: 1 });
    await again.rt.get(name).push({ n: 2 });
    await again.rt.get(name).complete();
    await sse.untilEnd();
    const after = await scrape(registry);
    expect(after.value('pushes_total', { outcome: 'ok' })).toBe(ok + 2);
    expect(after.value('delivered_events_total', { transport: 'sse' })).toBe(delivered + 2);
    expect(typeLines(after.text)).toHaveLength(FAMILIES);
    expectNoDuplicates(after.text);

    // A registry that was cleared gets the metrics again, counting afresh.
    registry.clear();
    const fresh = await start(metricsIn(registry));
    await fresh.rt.get(fresh.rt.createQueueName()).push({ n: 1 });
    const cleared = await scrape(registry);
    expect(cleared.value('pushes_total', { outcome: 'ok' })).toBe(1);
    expect(typeLines(cleared.text)).toHaveLength(FAMILIES);
  });

  it('counts a reader reconnect', async () => {
    const t = apps.at(-1)!;
    const name = t.rt.createQueueName();
    await t.rt.get(name).push({ n: 1 });
    const sse = await RawSseClient.open(t.url + t.rt.rtUrls(name).sse);
    await sse.untilItems(1);
    const before = (await scrape(registry)).value('reader_reconnects_total')!;
    // The reader is the module's connection that is subscribed (flag P).
    const list = String(await t.redis.client('LIST'));
    const reader = list
      .split('\n')
      .find((line) => line.includes(` name=${t.clientName} `) && /flags=\w*P/.test(line));
    expect(reader).toBeDefined();
    await t.redis.client('KILL', 'ID', /\bid=(\d+)/.exec(reader!)![1]!);
    await waitFor(
      async () => (await scrape(registry)).value('reader_reconnects_total') === before + 1,
      'a reader reconnect counted',
    );
    // The stream goes on after the reconnect.
    await t.rt.get(name).push({ n: 2 });
    await sse.untilItems(2);
    sse.destroy();
  });

  it('counts a slow client that the server drops, with metrics: true in the default registry', async () => {
    const t = await start(metricsIn(true, { maxMessageBytes: 65_536 }));
    const name = t.rt.createQueueName();
    const queue = t.rt.get(name);
    await queue.push({ n: 0 });
    // A client that reads the headers and then nothing: Nest drops it past ~1 Mi characters.
    const stalled = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http
        .get(
          `${t.url}${t.rt.rtUrls(name).sse}`,
          { headers: { Accept: 'text/event-stream' }, agent: false },
          (res) => {
            res.pause();
            resolve(res);
          },
        )
        .on('error', reject);
    });
    for (let n = 1; t.rt.stats().sseStreams > 0; n++) {
      if (n > 3_000) throw new Error('the stalled client was never dropped');
      await queue.push({ n, text: ''.padEnd(32_000, 'x') });
    }
    stalled.destroy();
    const text = await register.metrics();
    expect(sampleValue(parsePromText(text), 'pluto_rt_slow_clients_dropped_total')).toBe(1);
    expect(sampleValue(parsePromText(text), 'pluto_rt_sse_stream_duration_seconds_count')).toBe(1);
  });

  it('uses its prefix, and refuses a registry with a metric of its names that it did not make', async () => {
    const own = new Registry();
    const t = await start({ options: { metrics: { registry: own, prefix: 'myapp_rt_' } } });
    await t.rt.get(t.rt.createQueueName()).push({ n: 1 });
    expect(
      sampleValue(parsePromText(await own.metrics()), 'myapp_rt_pushes_total', { outcome: 'ok' }),
    ).toBe(1);

    const taken = new Registry();
    new Counter({ name: 'pluto_rt_pushes_total', help: 'not ours', registers: [taken] });
    // (At boot this is the module's error: PLUTO_RT_METRICS is made by loadMetrics.)
    const config = { registry: taken, prefix: 'pluto_rt_' };
    await expect(loadMetrics(config)).rejects.toThrow(RtOptionsError);
    await expect(loadMetrics(config)).rejects.toThrow(
      /pluto_rt_pushes_total: the registry has a metric of that name that pluto-rt did not make/,
    );
  });

  it('is off by default: no metrics sink at all', async () => {
    const t = await start();
    expect(t.app.get(PLUTO_RT_METRICS)).toBe(NO_METRICS);
  });
});
