/// <reference lib="dom" />
// Callbacks passed to page.evaluate run in the browser: they need the DOM types.
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { send } from '../helpers/redis-process.js';
import {
  expectStreamsClosed,
  launchDemo,
  shownItems,
  stepsUpTo,
  waitUntilFinished,
  type Transport,
} from './support/results-page.js';
import { startSample, type SampleProcess } from './support/sample-process.js';
import { openPage, type WatchedPage } from './support/watched-page.js';

const POLL_MS = 200;

/** The sample with one variable set, REDIS_CLUSTER_NODES: web app and worker on a real cluster. */
describe('the sample on a Redis Cluster (Chromium)', () => {
  let cluster: RedisCluster;
  let sample: SampleProcess;
  let browser: Browser;
  let watched: WatchedPage;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    const nodes = cluster.nodes.map(({ host, port }) => `${host}:${port}`).join(',');
    [sample, browser] = await Promise.all([
      startSample({ env: { REDIS_CLUSTER_NODES: nodes }, pollInterval: `${POLL_MS}ms` }),
      launchChromium(),
    ]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await sample?.stop();
    await cluster?.stop();
  });
  beforeEach(async () => {
    watched = await openPage(browser);
  });
  afterEach(() => watched.close());

  it.each<Transport>(['sse', 'polling'])(
    'runs the list demo over %s: every item once, in order, and the stream ends',
    async (transport) => {
      await launchDemo(watched.page, sample.url, 'list', transport);
      await waitUntilFinished(watched.page);
      const items = await shownItems(watched.page, '#results > li');
      expect(items.map((item) => item.step)).toEqual(stepsUpTo(25));
      await expectStreamsClosed(watched, transport, 1, POLL_MS);
      expect(watched.consoleErrors).toEqual([]);
    },
  );

  it('keeps each BullMQ queue under one hash tag ({prefix}), so it lives in one slot', async () => {
    const masters = await cluster.masters();
    const bullKeys = await Promise.all(
      masters.map(
        async ({ port }) =>
          ((await send(port, 'KEYS', `{${sample.prefixes.bullPrefix}}:*`)) as string[]).length,
      ),
    );
    // The demos above ran jobs: all of BullMQ's keys sit on one master.
    expect(bullKeys.filter((n) => n > 0)).toHaveLength(1);
  });

  it('stops cleanly on SIGTERM: exit code 0, nothing on stderr', async () => {
    expect(await sample.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(sample.stderr()).toBe('');
  });
});
