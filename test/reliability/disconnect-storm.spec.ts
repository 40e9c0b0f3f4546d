import http from 'node:http';
import { busyCounters } from './helpers/idle-stats.js';
import { PacedProducer } from './helpers/paced-producer.js';
import {
  activeResources,
  grown,
  heapAfterGc,
  processListeners,
} from './helpers/process-resources.js';
import { watchProcess } from './helpers/process-watch.js';
import { seededRng, suiteSeed } from './helpers/seeded-rng.js';
import { clientCount } from '../helpers/redis-inspect.js';
import { parseSseText } from '../helpers/sse-parse.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

const CONNECTIONS = 2_000;
const CONCURRENCY = 100;
const QUEUES = 20;
/**
 * Heap after GC may exceed its baseline by this much: 8 KiB per connection of the storm, a
 * generous bound for a slow or shared machine. Storms measured +0.3 to +2.9 MiB of noise
 * that does not add up from one storm to the next; a connection whose request and response
 * stayed referenced holds about 17 KiB (+34.8 MiB over a storm, measured by keeping them in
 * an array), twice the bound. Streams, subscribers, sockets, timers and listeners that stay
 * behind are counted exactly above.
 */
const HEAP_BOUND = CONNECTIONS * 8 * 1024;

type Ending =
  | 'before-response'
  | 'on-headers'
  | 'after-first-item'
  | 'mid-stream'
  | 'missing-queue'
  | 'read-to-end';
const ENDINGS: Ending[] = [
  'before-response',
  'on-headers',
  'after-first-item',
  'mid-stream',
  'mid-stream',
  'missing-queue',
  'read-to-end',
];

/** What one connection saw before it ended: each ending is checked to be what its name says. */
interface Outcome {
  ending: Ending;
  /** The app's HTTP server received the request. */
  serverSawRequest: boolean;
  /** The response status, if a response arrived before the cut. */
  status?: number;
  contentType?: string;
  /** Item events (data without an event line) parsed before the cut. */
  items: number;
  /** Items `mid-stream` waited for before cutting. */
  cutAfterItems?: number;
  /** `event: close` arrived (`data` of it). */
  closeData?: string;
  /** The server ended the response itself (the client did not cut it). */
  serverEnded: boolean;
}

const isSse = (o: Outcome) => o.status === 200 && /^text\/event-stream/.test(o.contentType ?? '');

/** Why `o` did not end the way its name says, or undefined when it did. */
function notAsNamed(o: Outcome): string | undefined {
  const ok = {
    // Cut once the server had the request, before any response came back.
    'before-response': o.serverSawRequest && o.status === undefined,
    // Cut as the headers of a stream arrived, before reading an event.
    'on-headers': isSse(o) && o.items === 0 && !o.serverEnded,
    // Cut on the chunk that brought the first item (not on the opening frame).
    'after-first-item': isSse(o) && o.items >= 1 && o.closeData === undefined && !o.serverEnded,
    // Cut after several items, with the job still pushing.
    'mid-stream':
      isSse(o) &&
      o.items >= (o.cutAfterItems ?? Infinity) &&
      o.closeData === undefined &&
      !o.serverEnded,
    // A queue that does not exist yet: the stream is held open, waiting; cut on its headers.
    'missing-queue': isSse(o) && o.items === 0 && !o.serverEnded,
    // Read until the server ended the stream after its close event.
    'read-to-end': isSse(o) && o.items === 1 && o.closeData === 'complete' && o.serverEnded,
  }[o.ending];
  return ok ? undefined : JSON.stringify(o);
}

/**
 * 2,000 SSE connections, opened and dropped in every way a browser can drop them while a
 * job pushes: the module must let go of everything they held.
 */
describe('disconnect storm', () => {
  let t: TestApp;
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const rng = seededRng(suiteSeed('disconnect-storm'));
  /** Connections whose request the server has not seen yet, by their x-storm-connection. */
  const awaitingServer = new Map<string, () => void>();
  let connectionSeq = 0;

  beforeAll(async () => {
    t = await startTestApp({ options: { keepaliveMs: 100 } });
    t.app.getHttpServer().on('request', (req: http.IncomingMessage) => {
      const seq = req.headers['x-storm-connection'];
      if (typeof seq !== 'string') return;
      awaitingServer.get(seq)?.();
      awaitingServer.delete(seq);
    });
  });
  afterAll(async () => {
    agent.destroy();
    await t.close();
  });

  /** Opens one SSE connection and ends it as `ending` says; resolves once it is over. */
  function connection(path: string, ending: Ending): Promise<Outcome> {
    return new Promise((resolve) => {
      const seq = String(++connectionSeq);
      const outcome: Outcome = { ending, serverSawRequest: false, items: 0, serverEnded: false };
      if (ending === 'mid-stream') outcome.cutAfterItems = rng.int(2, 6);
      const request = http.get(`${t.url}${path}`, {
        agent,
        headers: { Accept: 'text/event-stream', 'x-storm-connection': seq },
      });
      const cut = () => request.destroy();
      request.on('error', () => undefined);
      request.on('close', () => resolve(outcome));
      // Called from the server's 'request' event, after the route has started; it awaits
      // Redis before it answers, so a cut here lands while the server holds the request.
      awaitingServer.set(seq, () => {
        outcome.serverSawRequest = true;
        if (ending === 'before-response') cut();
      });
      request.on('response', (response) => {
        outcome.status = response.statusCode;
        outcome.contentType = response.headers['content-type'];
        // A queue that does not exist (yet) is waited for: drop it on its headers too.
        if (ending === 'on-headers' || ending === 'missing-queue') return cut();
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
          const blocks = parseSseText(text);
          outcome.items = blocks.filter((b) => b.event === undefined).length;
          outcome.closeData = blocks.find((b) => b.event === 'close')?.data;
          if (ending === 'after-first-item' && outcome.items >= 1) cut();
          if (ending === 'mid-stream' && outcome.items >= outcome.cutAfterItems!) cut();
        });
        response.on('end', () => (outcome.serverEnded = true));
        response.on('error', () => undefined);
      });
    });
  }

  /** Everything whose growth would be a leak. */
  async function footprint(names: string[]) {
    return {
      busy: busyCounters(t.rt.stats()),
      redisClients: await clientCount(t.redis, t.clientName),
      subscribers: await t.subscribers(...names),
      serverConnections: await new Promise<number>((resolve) =>
        t.app.getHttpServer().getConnections((_: unknown, n: number) => resolve(n)),
      ),
    };
  }

  it(`${CONNECTIONS} connections opened and dropped in six ways (each checked) while a job pushes leave streams, subscriptions, Redis clients, timers, listeners and heap at baseline`, async () => {
    const watch = watchProcess();
    const names = Array.from({ length: QUEUES }, () => t.rt.createQueueName());
    const queues = names.map((name) => t.rt.get(name));
    await Promise.all(queues.map((q) => q.push({ n: 0, text: 'x'.repeat(2000) })));
    const urls = names.map((name) => t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' }).sse);
    const missingName = t.rt.createQueueName();
    const missing = t.rt.rtUrls(missingName, { itemTemplate: 'pluto_rt/list_item' }).sse;
    const watched = [...names, missingName];

    const storm = async (count: number) => {
      const endings: Record<string, number> = {};
      const notAsTheirName: string[] = [];
      let next = 0;
      const worker = async () => {
        while (next < count) {
          next++;
          const ending = rng.pick(ENDINGS);
          // A reader to the end needs a queue that ends: those get their own, completed one.
          let path = ending === 'missing-queue' ? missing : rng.pick(urls);
          if (ending === 'read-to-end') {
            const name = t.rt.createQueueName();
            await t.rt.get(name).push({ n: 1, text: 'done soon' });
            await t.rt.get(name).complete();
            path = t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' }).sse;
          }
          const outcome = await connection(path, ending);
          endings[ending] = (endings[ending] ?? 0) + 1;
          const problem = notAsNamed(outcome);
          if (problem) notAsTheirName.push(problem);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      return { endings, notAsTheirName };
    };
    const settled = async () => {
      await waitFor(
        async () => {
          const f = await footprint(watched);
          return (
            Object.keys(f.busy).length === 0 && f.subscribers === 0 && f.serverConnections === 0
          );
        },
        'streams, subscriptions and connections to drain',
        15_000,
      );
      return footprint(watched);
    };

    // Warm-up (lazy initialisation, JIT, pools), then the baseline.
    const warmupProducers = queues.map((q) => new PacedProducer(q, 20, 1));
    await storm(500);
    await Promise.all(warmupProducers.map((p) => p.stop()));
    const before = await settled();
    const heapBefore = await heapAfterGc();
    const resourcesBefore = activeResources();
    const listenersBefore = processListeners();

    const producers = queues.map((q) => new PacedProducer(q, 20, 10_000));
    const started = Date.now();
    const { endings, notAsTheirName } = await storm(CONNECTIONS);
    const stormMs = Date.now() - started;
    await Promise.all(producers.map((p) => p.stop()));
    const pushed = producers.reduce((sum, p) => sum + p.ok.length, 0);

    const after = await settled();
    const heapAfter = await heapAfterGc();
    const resourcesGrown = grown(resourcesBefore, activeResources());
    const listenersGrown = grown(listenersBefore, processListeners());
    process.stdout.write(
      `[disconnect-storm] ${CONNECTIONS} connections in ${stormMs} ms (${JSON.stringify(endings)}), ${pushed} items pushed meanwhile; ` +
        `before ${JSON.stringify(before)} after ${JSON.stringify(after)}; heap ${(heapBefore / 1048576).toFixed(1)} -> ${(heapAfter / 1048576).toFixed(1)} MiB ` +
        `(bound +${(HEAP_BOUND / 1048576).toFixed(1)}); resources grown ${JSON.stringify(resourcesGrown)}; listeners grown ${JSON.stringify(listenersGrown)}\n`,
    );

    expect(Object.values(endings).reduce((a, b) => a + b, 0)).toBe(CONNECTIONS);
    // Every way of ending happened, each as its name says.
    expect(Object.keys(endings).sort()).toEqual([...new Set(ENDINGS)].sort());
    expect(notAsTheirName.slice(0, 5)).toEqual([]);
    expect(after).toEqual({
      busy: {},
      redisClients: 2,
      subscribers: 0,
      serverConnections: 0,
    });
    expect(before.redisClients).toBe(2);
    expect(heapAfter - heapBefore).toBeLessThan(HEAP_BOUND);
    expect(resourcesGrown).toEqual({});
    expect(listenersGrown).toEqual({});
    watch.stop();
    expect(watch.rejections).toEqual([]);
    expect(watch.exceptions).toEqual([]);
  }, 120_000);
});
