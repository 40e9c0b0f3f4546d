// Baseline C, the ceiling: a minimal node:http SSE writer, no Redis and no framework, fed by
// the worker process over the local feed (lib/feed.mjs). Each pushed item becomes one frame,
// built once and written to every connection of its channel; one keepalive timer; history in
// memory for Last-Event-ID and polling.
import http from 'node:http';
import { once } from 'node:events';
import { listenFeed } from '../lib/feed.mjs';

const SSE_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
};
const KEEPALIVE = ': keepalive\n\n';

export async function start({ keepaliveMs }) {
  /** Channel name -> its subscribers and frames; made by the first push or connection. */
  const channels = new Map();
  const all = new Set();
  const channelOf = (name) => {
    let channel = channels.get(name);
    if (!channel) channels.set(name, (channel = { subscribers: new Set(), frames: [] }));
    return channel;
  };

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
    const match = /^\/c\/(sse|poll)\/([\w-]+)(?:\?after=(\d+))?$/.exec(req.url);
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    const channel = channelOf(match[2]);
    if (match[1] === 'sse') serveSse(req, res, channel);
    else servePoll(res, channel, match[3]);
  });
  const keepalive = setInterval(() => {
    for (const res of all) res.write(KEEPALIVE);
  }, keepaliveMs).unref();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');

  // A backed-up client is written to anyway: the feed's acknowledgements bound the burst.
  const feed = await listenFeed((name, json) => {
    const channel = channelOf(name);
    const frame = `id: ${channel.frames.length + 1}\ndata: ${json}\n\n`;
    channel.frames.push(frame);
    for (const res of channel.subscribers) res.write(frame);
  });

  return {
    port: server.address().port,
    feedPort: feed.port,
    ownsConnection: () => false,
    release() {
      channels.clear();
    },
    async close() {
      clearInterval(keepalive);
      feed.close();
      server.closeAllConnections();
      server.close();
    },
  };
}
