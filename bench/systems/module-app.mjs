// The system under test: a Nest app with PlutoRtModule (the built package), pushing through
// RtQueueService and serving the module's own SSE and poll routes.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bootNest, emptyController } from '../lib/nest-app.mjs';

// BENCH_MODULE_DIST=/path/to/dist measures another build (e.g. a proposed patch) instead.
const { PlutoRtModule, RtQueueService } = await import(
  process.env.BENCH_MODULE_DIST
    ? pathToFileURL(`${process.env.BENCH_MODULE_DIST}/index.js`).href
    : 'nestjs-pluto-rt'
);

const TEMPLATES = fileURLToPath(new URL('../views', import.meta.url));
const ITEM_TEMPLATE = 'pluto_rt/bench_item';

export async function start({ redisUrl, prefix, clientName, keepaliveMs, commandTimeoutMs }) {
  const { app, port } = await bootNest(
    {
      imports: [
        PlutoRtModule.forRoot({
          redis: { url: redisUrl },
          secret: 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
          keyPrefix: prefix,
          clientName,
          templatesDir: TEMPLATES,
          keepaliveMs,
          maxStreams: 100_000,
          maxMessages: 1_000_000,
          // A push waits for its reply behind the fan-out writes of the same process; the
          // default 5 s can pass during the biggest fan-out burst on a busy 2-core machine.
          // The outage measurement sets its own.
          commandTimeoutMs: commandTimeoutMs ?? 30_000,
        }),
      ],
      controllers: [emptyController('bench-floor')],
    },
    'PlutoRtBenchModule',
  );
  const rt = app.get(RtQueueService);
  let queues = [];

  /** A fresh queue, created by its first push (an item of phase 0, which clients ignore). */
  async function newQueue() {
    const name = rt.createQueueName('bench');
    const queue = rt.get(name);
    const firstId = await queue.push({ p: 0, t: 0, n: 0 });
    return { name, queue, firstId, urls: rt.rtUrls(name, { itemTemplate: ITEM_TEMPLATE }) };
  }

  return {
    port,
    ownsConnection: (name) => name === clientName,
    stats: () => rt.stats(),

    async createStreams(count) {
      queues = [];
      for (let i = 0; i < count; i += 500) {
        queues.push(
          ...(await Promise.all(Array.from({ length: Math.min(500, count - i) }, newQueue))),
        );
      }
      return { paths: queues.map((q) => q.urls.sse), expectFirst: 1 };
    },

    /**
     * `pages` pages, each following `perPage` fresh queues over one group connection (the
     * group partial's URL: each queue into its own target); the queues, page after page,
     * are what `push(index)` pushes to.
     */
    async createGroups(pages, perPage) {
      queues = [];
      const paths = [];
      for (let page = 0; page < pages; page += 50) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(50, pages - page) }, async () => {
            const members = await Promise.all(Array.from({ length: perPage }, newQueue));
            const urls = rt.rtGroupUrls(
              members.map(({ name }, i) => ({
                queue: name,
                itemTemplate: ITEM_TEMPLATE,
                target: `#q${i}`,
              })),
            );
            return { members, path: urls.sse };
          }),
        );
        for (const { members, path } of batch) {
          queues.push(...members);
          paths.push(path);
        }
      }
      return { paths, expectFirst: perPage };
    },

    push(index, item) {
      return queues[index].queue.push(item);
    },

    async prepareReplay(count) {
      const { queue, firstId, urls } = await newQueue();
      for (let n = 1; n <= count; n += 100) {
        await Promise.all(
          Array.from({ length: Math.min(100, count - n + 1) }, (_, k) =>
            queue.push({ p: 0, t: 0, n: n + k }),
          ),
        );
      }
      return { path: urls.sse, lastEventId: firstId };
    },

    async preparePoll() {
      const { firstId, urls } = await newQueue();
      return {
        path: `${urls.poll}&after=${encodeURIComponent(firstId)}&el=poller&target=%23results&every=1s`,
        headers: { 'HX-Request': 'true', 'HX-Target': 'poller' },
        // The same request shape on a route that does nothing: Nest + Express alone.
        floorPath: `/bench-floor/empty${urls.poll.slice(urls.poll.indexOf('?'))}&after=${encodeURIComponent(firstId)}`,
      };
    },

    release() {
      queues = [];
    },

    close: () => app.close(),
  };
}
