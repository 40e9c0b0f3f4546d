import { Injectable, type CanActivate } from '@nestjs/common';
import { RawSseClient } from '../helpers/sse-client.js';
import { listMembers, pastExpiry, signedGroupUrl } from '../helpers/group.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';
import { UrlSigner } from '../../lib/security/url-signer.js';
import { startPrivateRedis } from '../../scripts/redis-env.mjs';

@Injectable()
class RejectGuard implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

/** What a page element is told: the events of the answer, as [event, id, data]. */
type Told = Array<[string | undefined, string | undefined, string | undefined]>;

/** The events a refusal of a page element's request must carry for `reason`. */
function stopsWith(el: string, reason: string): Told {
  return [
    [
      undefined,
      '',
      expect.stringMatching(
        new RegExp(
          `^<hx-partial hx-target="#${el}" hx-swap="innerHTML"><p class="pluto-rt-notice" role="status" data-reason="${reason}">[^<]+</p></hx-partial>$`,
        ),
      ) as string,
    ],
    ['close', undefined, reason],
  ];
}

describe('refusals of a page element’s stream (e2e)', () => {
  let t: TestApp;
  const clients: RawSseClient[] = [];
  beforeAll(async () => {
    t = await startTestApp({ options: { maxStreams: 2, sseRetryMs: 1234 } });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.destroy();
  });
  afterAll(() => t.close());

  async function answer(app: TestApp, path: string, headers?: Record<string, string>) {
    const client = await RawSseClient.open(app.url + path, { headers });
    clients.push(client);
    await client.untilEnd();
    return client;
  }
  const told = (client: RawSseClient): Told =>
    client.events.map((block) => [block.event, block.id, block.data]);

  /** An SSE URL of each route, for a queue (or group) that exists, with el=live. */
  function urls(app: TestApp) {
    const queue = app.rt.createQueueName();
    const single = app.rt.rtUrls(queue, { itemTemplate: 'pluto_rt/list_item' });
    const group = app.rt.rtGroupUrls(listMembers(app, 2));
    return { queue, single, group, both: [`${single.sse}&el=live`, `${group.sse}&el=live`] };
  }

  it('an expired URL: 200, a notice in the element, then close; 403 for anyone else', async () => {
    const { queue, group } = urls(t);
    const signer = t.app.get(UrlSigner, { strict: false });
    const grant = {
      queue,
      template: 'pluto_rt/list_item',
      mode: 'append' as const,
      format: 'html' as const,
      expires: pastExpiry(),
    };
    const single = `/pluto-rt/sse/${queue}?tpl=pluto_rt%2Flist_item&mode=append&exp=${grant.expires}&sig=${signer.sign(grant)}`;
    const grouped = signedGroupUrl(t, 'sse', { ...group.grant, expires: pastExpiry() });
    for (const url of [single, grouped]) {
      const page = await answer(t, `${url}&el=live`);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(told(page)).toEqual(stopsWith('live', 'expired'));
      expect((await answer(t, url)).status).toBe(403);
    }
  });

  it('a tampered URL: the refused notice, then close', async () => {
    for (const url of urls(t).both) {
      const page = await answer(
        t,
        url.replace('mode=append', 'mode=reverse').replace('%3Aappend%3A', '%3Areverse%3A'),
      );
      expect(told(page)).toEqual(stopsWith('live', 'refused'));
    }
  });

  it('decides nothing from the Accept header', async () => {
    const [single] = urls(t).both;
    const tampered = single!.replace('mode=append', 'mode=reverse');
    for (const accept of [
      'text/event-stream',
      '*/*',
      'text/html, text/event-stream',
      'application/json',
    ]) {
      expect(told(await answer(t, tampered, { Accept: accept }))).toEqual(
        stopsWith('live', 'refused'),
      );
      expect((await answer(t, tampered.replace('&el=live', ''), { Accept: accept })).status).toBe(
        403,
      );
    }
  });

  it('too many streams: 200, the retry delay and one event to carry it (htmx 4 ignores a lone retry:), then the end; 503 for anyone else', async () => {
    const { both } = urls(t);
    // The two open streams of maxStreams: 2.
    for (const url of both) clients.push(await RawSseClient.open(t.url + url));
    for (const url of both) {
      const page = await answer(t, url);
      expect(page.status).toBe(200);
      expect(page.blocks.map((block) => block.lines)).toEqual([
        ['event: retry', 'retry: 1234', 'data: unavailable'],
      ]);
      expect((await answer(t, url.replace('&el=live', ''))).status).toBe(503);
    }
  });

  it('a guard’s no: the refused notice, then close, on both routes', async () => {
    const guarded = await startTestApp({ options: { guards: [RejectGuard] } });
    try {
      for (const url of urls(guarded).both) {
        expect(told(await answer(guarded, url))).toEqual(stopsWith('live', 'refused'));
        expect((await answer(guarded, url.replace('&el=live', ''))).status).toBe(403);
      }
    } finally {
      await guarded.close();
    }
  });

  it('Redis down: the retry delay and the end, until Redis is back; then the stream', async () => {
    const redis = await startPrivateRedis();
    const away = await startTestApp({
      options: { redis: { url: redis.url }, commandTimeoutMs: 100, sseRetryMs: 500 },
    });
    const { both } = urls(away);
    await redis.stop();
    let back: Awaited<ReturnType<typeof startPrivateRedis>> | undefined;
    try {
      for (const url of both) {
        const page = await answer(away, url);
        expect(page.status).toBe(200);
        expect(page.blocks.map((block) => block.lines)).toEqual([
          ['event: retry', 'retry: 500', 'data: unavailable'],
        ]);
        expect((await answer(away, url.replace('&el=live', ''))).status).toBe(503);
      }
      back = await startPrivateRedis(redis.port);
      // What the page's next reconnect finds once Redis is back: its stream.
      for (const url of both) {
        const client = await waitFor(async () => {
          const attempt = await RawSseClient.open(away.url + url);
          clients.push(attempt);
          await attempt.until(() => attempt.blocks.length > 0 || attempt.ended, 'an answer');
          return attempt.blocks[0]?.comments.includes('open') ? attempt : undefined;
        }, 'the stream to come back');
        expect(client.status).toBe(200);
      }
    } finally {
      // The app closes its connections cleanly only with a Redis to say goodbye to.
      back ??= await startPrivateRedis(redis.port);
      for (const client of clients.splice(0)) client.destroy();
      await away.close();
      await back.stop();
    }
  });

  it('a malformed el is a plain 400: there is no element to answer', async () => {
    for (const url of urls(t).both) {
      const res = await answer(t, url.replace('el=live', 'el=%22%3E'));
      expect(res.status).toBe(400);
      expect(res.raw).toBe('Invalid el: an element id');
    }
  });
});
