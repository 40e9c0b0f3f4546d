// Baseline D, the floor of the stack: the same Nest app (same Nest, same Express) with
// nothing of its own. `GET /d/idle/:ch` is an `@Sse()` route whose Observable never emits
// but keepalives (the module's keepalive interval, one shared timer like the module's): what
// an idle stream costs the framework. `GET /d/sse/:ch` forwards a `Subject` per channel, fed
// by the worker process over the local feed (lib/feed.mjs): what an event costs it.
// `GET /d/empty` answers 204: the empty Nest route under the module's empty poll.
import { finalize, merge, Subject } from 'rxjs';
import { listenFeed } from '../lib/feed.mjs';
import { bootNest, emptyController, sharedKeepalive, sseController } from '../lib/nest-app.mjs';

/** The module's own limit (MAX_PENDING_CHARS_PER_STREAM), so that Nest treats both alike. */
const SSE_OPTIONS = { maxPendingDataLength: 1024 * 1024 };

export async function start({ keepaliveMs }) {
  const keepalive = sharedKeepalive(keepaliveMs);
  /** Channel name -> its Subject and how many streams forward it. */
  const subjects = new Map();

  const live = (name) => {
    let entry = subjects.get(name);
    if (!entry) subjects.set(name, (entry = { subject: new Subject(), streams: 0 }));
    entry.streams++;
    return merge(entry.subject, keepalive).pipe(
      finalize(() => {
        if (--entry.streams === 0) subjects.delete(name);
      }),
    );
  };
  const { app, port } = await bootNest(
    {
      controllers: [
        sseController('d', 'idle/:ch', 'ch', () => keepalive, SSE_OPTIONS),
        sseController('d', 'sse/:ch', 'ch', live, SSE_OPTIONS),
        emptyController('d'),
      ],
    },
    'NestSseFloorModule',
  );
  // Like a pub/sub message with no subscriber, a push to a channel nobody reads is dropped.
  const feed = await listenFeed((name, json) => subjects.get(name)?.subject.next({ data: json }));

  return {
    port,
    feedPort: feed.port,
    ownsConnection: () => false,
    async close() {
      feed.close();
      await app.close();
    },
  };
}
