import { itemsOfEvents } from '../helpers/merged-events.js';
import http from 'node:http';
import { heapAfterGc } from './helpers/process-resources.js';
import { realProcess } from './helpers/process-watch.js';
import { ServerSockets } from './helpers/server-sockets.js';
import { RawSseClient } from '../helpers/sse-client.js';
import { parseSseText } from '../helpers/sse-parse.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const ITEM_CHARS = 32_000;
const BATCH = 32; // ~1 MiB of items
/** Give up (and fail) after this many bytes of items with the connection still open. */
const MAX_PUSHED = 96 * 1024 * 1024;
/**
 * What the app may hold for the stalled client, over its baseline: the 1 Mi-character cap,
 * socket and write buffers, and generous slack for a slow machine's GC. An app that buffered
 * every item for the client would pass it long before MAX_PUSHED, a third of which this is.
 */
const MEMORY_BOUND = 32 * 1024 * 1024;

const memory = () => {
  const usage = realProcess.memoryUsage();
  return usage.heapUsed + usage.external;
};

/**
 * A client that sends its SSE request and then never reads: the app must drop it once about
 * 1 Mi characters wait for it, not buffer every item, and the client resumes later.
 */
describe('slow consumer', () => {
  let t: TestApp;
  let sockets: ServerSockets;
  beforeAll(async () => {
    t = await startTestApp();
    sockets = new ServerSockets(t.app.getHttpServer());
  });
  afterAll(() => t.close());

  it('is dropped by the server with bounded memory, and resumes with Last-Event-ID', async () => {
    const name = t.rt.createQueueName();
    const queue = t.rt.get(name);
    const ids = [await queue.push({ n: 0, text: 'first' })];
    const { sse } = t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' });

    // The stalled client: it reads the headers, then nothing (its socket pauses once its
    // small buffer is full, and the kernel buffers fill behind it).
    const stalled = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http
        .get(
          `${t.url}${sse}`,
          { headers: { Accept: 'text/event-stream' }, agent: false },
          (res) => {
            res.pause();
            resolve(res);
          },
        )
        .on('error', reject);
    });
    expect(stalled.statusCode).toBe(200);
    expect(sockets.open.size).toBe(1);
    const serverSide = [...sockets.open][0]!;
    let dropped = false;
    serverSide.once('close', () => (dropped = true));

    const baseline = (await heapAfterGc()) + realProcess.memoryUsage().external;
    let peak = 0;
    let pushedBytes = 0;
    for (let n = 1; !dropped && pushedBytes < MAX_PUSHED; n++) {
      ids.push(await queue.push({ n, text: `${n}:`.padEnd(ITEM_CHARS, 'x') }));
      pushedBytes += ITEM_CHARS;
      if (n % BATCH === 0) {
        await heapAfterGc();
        peak = Math.max(peak, memory() - baseline);
      }
    }
    const pushedBeforeDrop = ids.length;
    process.stdout.write(
      `[slow-consumer] dropped=${dropped} after ${(pushedBytes / 1048576).toFixed(1)} MiB pushed (${pushedBeforeDrop} items); ` +
        `peak memory over baseline after GC ${(peak / 1048576).toFixed(1)} MiB (bound ${MEMORY_BOUND / 1048576}); rss ${(realProcess.memoryUsage().rss / 1048576).toFixed(0)} MiB\n`,
    );
    expect(dropped).toBe(true);
    expect(peak).toBeLessThan(MEMORY_BOUND);
    expect(t.rt.stats().streams).toBe(0);

    // The job goes on; the client reads what reached it, then resumes where that ends.
    for (let n = pushedBeforeDrop; n < pushedBeforeDrop + 10; n++)
      ids.push(await queue.push({ n, text: `late ${n}` }));
    await queue.complete();
    const received = await new Promise<string>((resolve) => {
      let text = '';
      stalled.setEncoding('utf8');
      stalled.on('data', (chunk: string) => (text += chunk));
      stalled.on('close', () => resolve(text));
      stalled.on('error', () => resolve(text));
      stalled.resume();
    });
    const firstPart = parseSseText(received).filter((e) => e.event === undefined);
    expect(firstPart.length).toBeGreaterThan(0);
    expect(itemsOfEvents(firstPart, (n) => ids[n]).length).toBeLessThan(ids.length);
    const resumed = await RawSseClient.open(t.url + sse, {
      headers: { 'Last-Event-ID': firstPart.at(-1)!.id! },
    });
    await resumed.until(
      () => resumed.events.some((e) => e.event === 'close'),
      'event: close',
      20_000,
    );
    // Events may carry several items each (merged): each item's id is the push's of its n.
    const first = itemsOfEvents(firstPart, (n) => ids[n]);
    const rest = itemsOfEvents(resumed.items, (n) => ids[n]);
    process.stdout.write(
      `[slow-consumer] first connection delivered ${first.length}, resumed connection ${rest.length}, of ${ids.length}\n`,
    );
    expect([...first, ...rest].map((item) => item.id)).toEqual(ids);
  }, 90_000);
});
