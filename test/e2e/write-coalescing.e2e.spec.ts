import type { Socket } from 'node:net';
import { RawSseClient } from '../helpers/sse-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const HISTORY = 1_000;

interface WriteCounter {
  /** Writes the server's sockets handed to the kernel (one per `_write` or `_writev` call). */
  writes: number;
}

/**
 * Counts the writes of every socket the server accepts, through the Writable hooks Node
 * calls once per write it hands to the kernel (the data still goes out through them).
 */
function countServerWrites(t: TestApp): WriteCounter {
  const counter = { writes: 0 };
  (t.app.getHttpServer() as { on(e: 'connection', l: (s: Socket) => void): void }).on(
    'connection',
    (socket) => {
      const hooks = socket as unknown as Record<'_write' | '_writev', (...a: unknown[]) => void>;
      for (const hook of ['_write', '_writev'] as const) {
        const original = hooks[hook].bind(socket);
        hooks[hook] = (...args: unknown[]) => {
          counter.writes++;
          original(...args);
        };
      }
    },
  );
  return counter;
}

describe('write coalescing (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ options: { maxMessages: HISTORY } });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('sends a history of 1,000 items in a few socket writes, not one per item', async () => {
    const name = t.rt.createQueueName();
    const queue = t.rt.get(name);
    await Promise.all(
      Array.from({ length: HISTORY }, (_, n) => queue.push({ n, text: `line ${n}` })),
    );
    await queue.complete();
    const counter = countServerWrites(t);

    const url = t.url + t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' }).sse;
    const client = await RawSseClient.open(url);
    await client.untilEnd();

    expect(client.listItems.map((item) => item.html)).toEqual(
      Array.from({ length: HISTORY }, (_, n) => `<li class="item" data-n="${n}">line ${n}</li>`),
    );
    // A page of history is ready at once: events of 100 rows (what a page swaps smoothly).
    expect(client.items).toHaveLength(HISTORY / 100);
    // ~50 KB of events: a write per socket buffer's worth (16 KB), not 1,000 writes.
    expect(counter.writes).toBeLessThan(HISTORY / 20);
  });
});
