// The module's producer, as a BullMQ worker holds it: a Nest application context with
// PlutoRtModule (no HTTP server) pushing through RtQueueService. It also signs the URLs that
// the clients open (any process with the module's secret can). In-process, it is given the
// server's own app instead.
import { loadModule, moduleOptions } from '../systems/module-options.mjs';
import { bootNestContext } from '../lib/nest-app.mjs';

const ITEM_TEMPLATE = 'pluto_rt/bench_item';

export async function start(options, app) {
  const { PlutoRtModule, RtQueueService } = await loadModule();
  const context =
    app ??
    (await bootNestContext(
      { imports: [PlutoRtModule.forRoot(moduleOptions(options))] },
      'PlutoRtBenchWorker',
    ));
  const rt = context.get(RtQueueService);
  let queues = [];

  /**
   * A fresh queue, created by its first push (an item of phase 0, which clients ignore);
   * without `history`, a queue not started yet (its page waits for the job).
   */
  async function newQueue(history = true) {
    const name = rt.createQueueName('bench');
    const queue = rt.get(name);
    const firstId = history ? await queue.push({ p: 0, t: 0, n: 0 }) : undefined;
    return { name, queue, firstId, urls: rt.rtUrls(name, { itemTemplate: ITEM_TEMPLATE }) };
  }

  return {
    async createStreams(count, { history = true } = {}) {
      queues = [];
      for (let i = 0; i < count; i += 500) {
        const batch = Array.from({ length: Math.min(500, count - i) }, () => newQueue(history));
        queues.push(...(await Promise.all(batch)));
      }
      return { paths: queues.map((q) => q.urls.sse), expectFirst: history ? 1 : 0 };
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

    /**
     * A queue with `count` items of `bytes` each (its history) and, as stream 0, another
     * queue to push to meanwhile (`timedPushes`): the flood scenario.
     */
    async prepareFlood(count, bytes) {
      const big = await newQueue();
      const text = 'x'.repeat(bytes);
      for (let n = 1; n <= count; n += 500) {
        await Promise.all(
          Array.from({ length: Math.min(500, count - n + 1) }, (_, k) =>
            big.queue.push({ p: 0, t: 0, n: n + k, text }),
          ),
        );
      }
      queues = [await newQueue()];
      return { path: big.urls.sse };
    },

    async preparePoll() {
      const { firstId, urls } = await newQueue();
      return {
        path: `${urls.poll}&after=${encodeURIComponent(firstId)}&el=poller&target=%23results&every=1s`,
        headers: { 'HX-Request': 'true', 'HX-Target': 'poller' },
      };
    },

    release() {
      queues = [];
    },

    close: () => (app ? undefined : context.close()),
  };
}
