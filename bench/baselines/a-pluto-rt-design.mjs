// Baseline A: the Pluto-RT design (pluto-rt 0.7.x), ported faithfully to the same Nest stack.
// - One Redis list per queue; push is RPUSH of the serialised item, from the worker process
//   (producers/a-rpush.mjs).
// - Each open SSE connection runs its own loop: LRANGE key <its index> -1, render every new
//   item with the item template, then sleep 100 ms and read again ("multiple consumers").
// - `event: message` per item, `event: keepalive` every keepalive interval, `event: close` at
//   the end marker.
// All connections share one ioredis connection (more generous than Pluto-RT's pool).
import { readFileSync } from 'node:fs';
import hbs from 'hbs';
import { Redis } from 'ioredis';
import { Observable } from 'rxjs';
import { bootNest, sseController } from '../lib/nest-app.mjs';

const POLL_MS = 100;
const END_MARKER = '__pluto_rt_end__';
const template = hbs.handlebars.compile(
  readFileSync(new URL('../views/pluto_rt/bench_item.hbs', import.meta.url), 'utf8'),
);

export async function start({ redisUrl, prefix, clientName, keepaliveMs }) {
  const redis = new Redis(redisUrl, { connectionName: clientName });
  const key = (name) => `${prefix}${name}`;

  function stream(name) {
    return new Observable((subscriber) => {
      let index = 0;
      let timer;
      let stopped = false;
      let lastKeepalive = Date.now();
      const tick = async () => {
        let items;
        try {
          items = await redis.lrange(key(name), index, -1);
        } catch (err) {
          if (!stopped) subscriber.error(err);
          return;
        }
        if (stopped) return;
        for (const raw of items) {
          index++;
          if (raw === END_MARKER) {
            subscriber.next({ type: 'close', data: 'complete' });
            subscriber.complete();
            return;
          }
          subscriber.next({ type: 'message', data: template({ item: JSON.parse(raw) }) });
        }
        if (Date.now() - lastKeepalive >= keepaliveMs) {
          lastKeepalive = Date.now();
          subscriber.next({ type: 'keepalive', data: 'keepalive' });
        }
        timer = setTimeout(tick, POLL_MS);
      };
      void tick();
      return () => {
        stopped = true;
        clearTimeout(timer);
      };
    });
  }

  const { app, port } = await bootNest(
    { controllers: [sseController('a', 'sse/:queue', 'queue', stream)] },
    'PlutoRtDesignModule',
  );
  return {
    port,
    ownsConnection: (name) => name === clientName,

    async close() {
      await app.close();
      await redis.quit();
    },
  };
}
