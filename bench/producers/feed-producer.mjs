// The producer of C and D, which have no Redis: items go to the server over the local feed
// (lib/feed.mjs), one line per push, to a channel per stream.
import { connectFeed } from '../lib/feed.mjs';

export async function start({ feedPort, system }) {
  const feed = await connectFeed(feedPort);
  const base = `/${system.toLowerCase()}`;
  let channelSeq = 0;
  let channels = [];
  const newChannels = (count) => Array.from({ length: count }, () => `ch${++channelSeq}`);

  return {
    /** D's streams without producers are its keepalive-only route (the idle floor). */
    createStreams(count, { producers = true } = {}) {
      channels = newChannels(count);
      const route = system === 'D' && !producers ? 'idle' : 'sse';
      return { paths: channels.map((ch) => `${base}/${route}/${ch}`), expectFirst: 0 };
    },

    push(index, item) {
      return feed.push(channels[index], JSON.stringify(item));
    },

    /** C only: its history holds the frames; ids are positions, so the first is 1. */
    async prepareReplay(count) {
      const [channel] = newChannels(1);
      const pushes = [];
      for (let n = 0; n <= count; n++)
        pushes.push(feed.push(channel, JSON.stringify({ p: 0, t: 0, n })));
      await Promise.all(pushes);
      return { path: `${base}/sse/${channel}`, lastEventId: '1' };
    },

    /** C: an empty poll of its history; D: the empty Nest route, with a query as long as the module's. */
    async preparePoll() {
      const [channel] = newChannels(1);
      if (system === 'D') {
        const query = `queue=${'q'.repeat(28)}&format=html&template=pluto_rt%2Fbench_item&mode=append&exp=9999999999&sig=${'s'.repeat(43)}&after=1764590000000-0&el=poller&target=%23results&every=1s`;
        return {
          path: `/d/empty?${query}`,
          headers: { 'HX-Request': 'true', 'HX-Target': 'poller' },
        };
      }
      await feed.push(channel, JSON.stringify({ p: 0, t: 0, n: 0 }));
      return { path: `${base}/poll/${channel}?after=1`, headers: { 'HX-Request': 'true' } };
    },

    release() {
      channels = [];
    },

    close: () => feed.close(),
  };
}
