// Baseline C, the ceiling: a minimal node:http SSE writer fed from memory, no Redis and no
// framework. Each pushed item becomes one frame, built once and written to every connection
// of its channel; one keepalive timer; history in memory for Last-Event-ID and polling.
import http from 'node:http';
import { once } from 'node:events';

const SSE_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
};
const KEEPALIVE = ': keepalive\n\n';

export async function start({ keepaliveMs }) {
  let channels = [];
  const all = new Set();

  function newChannel() {
    return { subscribers: new Set(), frames: [] };
  }

  /** Frames after event id `after` (ids are 1-based positions in the channel). */
  const framesAfter = (channel, after) => channel.frames.slice(Math.max(0, Number(after) || 0));

  function serveSse(req, res, channel) {
    res.writeHead(200, SSE_HEADERS);
    res.socket.setNoDelay(true);
    const lastEventId = req.headers['last-event-id'];
    res.write(lastEventId ? framesAfter(channel, lastEventId).join('') : '\n');
    channel.subscribers.add(res);
    all.add(res);
    req.on('close', () => {
      channel.subscribers.delete(res);
      all.delete(res);
    });
  }

  function servePoll(res, channel, after) {
    const frames = framesAfter(channel, after);
    if (frames.length === 0) {
      res.writeHead(204).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html' }).end(frames.join(''));
  }

  const server = http.createServer((req, res) => {
    const match = /^\/c\/(sse|poll)\/(\d+)(?:\?after=(\d+))?$/.exec(req.url);
    const channel = match && channels[Number(match[2])];
    if (!channel) {
      res.writeHead(404).end();
      return;
    }
    if (match[1] === 'sse') serveSse(req, res, channel);
    else servePoll(res, channel, match[3]);
  });
  const keepalive = setInterval(() => {
    for (const res of all) res.write(KEEPALIVE);
  }, keepaliveMs).unref();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');

  function push(channel, item) {
    const frame = `id: ${channel.frames.length + 1}\ndata: ${JSON.stringify(item)}\n\n`;
    channel.frames.push(frame);
    let backedUp;
    for (const res of channel.subscribers) {
      if (!res.write(frame)) backedUp = res;
    }
    // Throughput runs wait for the socket to drain instead of buffering without bound.
    if (backedUp)
      return (backedUp.drained ??= once(backedUp, 'drain').finally(
        () => (backedUp.drained = undefined),
      ));
    return undefined;
  }

  return {
    port: server.address().port,
    ownsConnection: () => false,

    createStreams(count) {
      const first = channels.length;
      for (let i = 0; i < count; i++) channels.push(newChannel());
      const ids = Array.from({ length: count }, (_, i) => first + i);
      this.current = ids.map((id) => channels[id]);
      return { paths: ids.map((id) => `/c/sse/${id}`), expectFirst: 0 };
    },

    push(index, item) {
      return push(this.current[index], item);
    },

    prepareReplay(count) {
      const id = channels.push(newChannel()) - 1;
      for (let n = 0; n <= count; n++) push(channels[id], { p: 0, t: 0, n });
      return { path: `/c/sse/${id}`, lastEventId: '1' };
    },

    preparePoll() {
      const id = channels.push(newChannel()) - 1;
      push(channels[id], { p: 0, t: 0, n: 0 });
      return { path: `/c/poll/${id}?after=1`, headers: { 'HX-Request': 'true' } };
    },

    release() {
      channels = channels.map(() => undefined);
    },

    async close() {
      clearInterval(keepalive);
      server.closeAllConnections();
      server.close();
    },
  };
}
