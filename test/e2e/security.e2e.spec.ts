import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Global,
  Injectable,
  Module,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import request from 'supertest';
import { RtError, RtTemplateError, type RtMode } from '../../lib/index.js';
import { CLIENT_SCRIPT } from '../../lib/client/client-script.js';
import { CLIENT_STYLE } from '../../lib/client/client-style.js';
import { UrlSigner } from '../../lib/security/url-signer.js';
import { goneQueue } from '../helpers/gone-queue.js';
import { param } from '../helpers/markup.js';
import { startTestApp, VIEWS_DIR, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

const TEMPLATE = 'pluto_rt/list_item';
const require = createRequire(import.meta.url);
/**
 * What each asset route serves: htmx 2 and htmx 4 (the `htmx4` alias of htmx.org 4), each
 * with its SSE extension as published, Idiomorph for htmx 2, and the module's helper and style.
 */
const ASSET_BODIES: Record<string, () => string> = {
  'htmx.min.js': () => readFileSync(require.resolve('htmx.org/dist/htmx.min.js'), 'utf8'),
  'htmx-ext-sse.js': () => readFileSync(require.resolve('htmx-ext-sse/dist/sse.min.js'), 'utf8'),
  'idiomorph.min.js': () =>
    readFileSync(require.resolve('idiomorph/dist/idiomorph.min.js'), 'utf8'),
  'htmx4.min.js': () => readFileSync(require.resolve('htmx4/dist/htmx.min.js'), 'utf8'),
  'htmx4-sse.js': () => readFileSync(require.resolve('htmx4/dist/ext/hx-sse.min.js'), 'utf8'),
  'pluto-rt.js': () => CLIENT_SCRIPT,
  'pluto-rt.css': () => CLIENT_STYLE,
};
const ASSETS = Object.keys(ASSET_BODIES);

/** `url` with query parameter `name` set to `value` (the URL is relative). */
function withParam(url: string, name: string, value: string): string {
  const parsed = new URL(url, 'http://x');
  parsed.searchParams.set(name, value);
  return parsed.pathname + parsed.search;
}

/** A signature with one character changed, still of the valid shape and length. */
function flipped(sig: string): string {
  return (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
}

/** A URL signed by the app's own signer for any grant, bypassing rtUrls' template checks. */
function signedUrl(
  t: TestApp,
  route: 'sse' | 'poll',
  queue: string,
  template: string,
  mode: RtMode,
  expires: number,
) {
  const signer = t.app.get(UrlSigner, { strict: false });
  const sig = signer.sign({ queue, template, mode, format: 'html', expires });
  const query = new URLSearchParams({ tpl: template, mode, exp: String(expires), sig });
  return `/pluto-rt/${route}/${encodeURIComponent(queue)}?${query.toString()}`;
}

const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

/**
 * A poller's placement for a poll URL. (An SSE URL gets none: with `el`, it would be a page
 * element's, which hears refusals as events, not statuses.)
 */
const placement = (route: 'sse' | 'poll') => (route === 'poll' ? '&el=p1&target=%23o' : '');

function expectPlain4xx(res: request.Response, status?: number) {
  if (status !== undefined) expect(res.status).toBe(status);
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(res.headers['content-type']).toMatch(/^text\/plain/);
}

describe('security', () => {
  describe('signed URLs', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp();
    });
    afterAll(() => t.close());

    /** A completed queue with two items (so SSE answers end) and its signed URLs. */
    async function completedQueue(mode: RtMode = 'append') {
      const name = t.rt.createQueueName();
      const queue = t.rt.get(name);
      await queue.push({ n: 1, text: 'one' });
      await queue.push({ n: 2, text: 'two' });
      await queue.complete();
      const urls = t.rt.rtUrls(name, { itemTemplate: TEMPLATE, mode });
      return { name, urls, poll: `${urls.poll}&el=p1&target=%23out` };
    }

    it('a URL from rtUrls works on both routes', async () => {
      const { urls, poll } = await completedQueue();
      const polled = await request(t.url).get(poll);
      expect(polled.status).toBe(286);
      expect(polled.text).toContain('data-n="2"');
      const sse = await request(t.url).get(urls.sse).buffer(true);
      expect(sse.status).toBe(200);
      expect(sse.headers['content-type']).toMatch(/text\/event-stream/);
      expect(sse.text).toContain('data: <li class="item" data-n="1">one</li>');
      expect(sse.text).toContain('event: close');
    });

    describe.each(['sse', 'poll'] as const)('tampering on %s gives 403', (route) => {
      const urlOf = (queue: Awaited<ReturnType<typeof completedQueue>>) =>
        route === 'sse' ? queue.urls.sse : queue.poll;

      it('queue (another existing queue)', async () => {
        const victim = await completedQueue();
        const signedFor = await completedQueue();
        const url = urlOf(signedFor).replace(signedFor.name, victim.name);
        expect(url).toContain(victim.name);
        const res = await request(t.url).get(url);
        expectPlain4xx(res, 403);
      });

      it('tpl (another allowed template)', async () => {
        const q = await completedQueue();
        expectPlain4xx(
          await request(t.url).get(withParam(urlOf(q), 'tpl', 'pluto_rt/progress')),
          403,
        );
      });

      it('mode', async () => {
        const q = await completedQueue();
        expectPlain4xx(await request(t.url).get(withParam(urlOf(q), 'mode', 'reverse')), 403);
      });

      it('exp (later)', async () => {
        const q = await completedQueue();
        const exp = String(q.urls.grant.expires + 3600);
        expectPlain4xx(await request(t.url).get(withParam(urlOf(q), 'exp', exp)), 403);
      });

      it('format (json added to a URL signed for a template)', async () => {
        const q = await completedQueue();
        const res = await request(t.url).get(withParam(urlOf(q), 'format', 'json'));
        expectPlain4xx(res, 403);
        expect(res.text).toMatch(/not signed for format=json/);
        expect(res.text).not.toContain('one');
      });

      it('format (a template added to a URL signed for JSON)', async () => {
        const q = await completedQueue();
        const json = t.rt.rtUrls(q.name);
        const url = route === 'sse' ? json.sse : `${json.poll}&el=p1&target=%23out`;
        expectPlain4xx(await request(t.url).get(withParam(url, 'tpl', TEMPLATE)), 403);
        expectPlain4xx(
          await request(t.url).get(withParam(withParam(url, 'tpl', TEMPLATE), 'format', 'html')),
          403,
        );
      });

      it('sig', async () => {
        const q = await completedQueue();
        expectPlain4xx(
          await request(t.url).get(withParam(urlOf(q), 'sig', flipped(q.urls.signature))),
          403,
        );
      });

      it('sig of a different length', async () => {
        const q = await completedQueue();
        expectPlain4xx(
          await request(t.url).get(withParam(urlOf(q), 'sig', q.urls.signature.slice(1))),
          403,
        );
      });
    });

    it('a URL signed with ttlSeconds: 1 gets 403 mentioning expiry once exp has passed', async () => {
      const { name } = await completedQueue();
      const urls = t.rt.rtUrls(name, { itemTemplate: TEMPLATE, ttlSeconds: 1 });
      const json = t.rt.rtUrls(name, { ttlSeconds: 1 });
      await waitFor(() => Date.now() > urls.grant.expires * 1000 + 1, 'the URL to expire', 5000);
      for (const url of [urls.sse, `${urls.poll}&el=p1&target=%23out`, json.sse, json.poll]) {
        const res = await request(t.url).get(url);
        expectPlain4xx(res, 403);
        expect(res.text).toMatch(/expired/i);
      }
    });

    it.each<[unknown]>([[0], [-1], [1.5], ['x'], [NaN], [Infinity], [31_536_001], [10 ** 12]])(
      'rtUrls refuses ttlSeconds %p with an RtError naming it',
      (ttlSeconds) => {
        const call = () =>
          t.rt.rtUrls(t.rt.createQueueName(), { ttlSeconds: ttlSeconds as number });
        expect(call).toThrow(RtError);
        expect(call).toThrow(`Invalid ttlSeconds ${String(ttlSeconds)}`);
      },
    );

    it.each(['prepend', 'APPEND', 'append ', ''])(
      'rtUrls refuses mode %j with an RtError naming it',
      (mode) => {
        const call = () => t.rt.rtUrls(t.rt.createQueueName(), { mode: mode as RtMode });
        expect(call).toThrow(RtError);
        expect(call).toThrow(`Invalid mode ${JSON.stringify(mode)}`);
      },
    );

    it('a correctly signed grant whose exp is in the past gets 403 mentioning expiry', async () => {
      const { name } = await completedQueue();
      const past = Math.floor(Date.now() / 1000) - 10;
      for (const route of ['sse', 'poll'] as const) {
        const res = await request(t.url).get(
          `${signedUrl(t, route, name, TEMPLATE, 'append', past)}${placement(route)}`,
        );
        expectPlain4xx(res, 403);
        expect(res.text).toMatch(/expired/i);
      }
    });

    it('an exp moved into the past by hand gets 403 (the signature no longer matches)', async () => {
      const { urls } = await completedQueue();
      const res = await request(t.url).get(withParam(urls.sse, 'exp', '1'));
      expectPlain4xx(res, 403);
      expect(res.text).not.toMatch(/expired/i);
    });

    describe('gone queues (completed, then expired)', () => {
      /** An app whose completed queues expire in a second. */
      let short: TestApp;
      beforeAll(async () => {
        short = await startTestApp({ options: { completedTtlSeconds: 1 } });
      });
      afterAll(() => short.close());

      it('a gone queue with a valid URL gets 404 on both routes', async () => {
        const name = await goneQueue(short);
        const urls = short.rt.rtUrls(name, { itemTemplate: TEMPLATE });
        for (const url of [
          urls.sse,
          `${urls.poll}&el=p1&target=%23out`,
          short.rt.rtUrls(name).poll,
        ]) {
          const res = await request(short.url).get(url);
          expectPlain4xx(res, 404);
        }
      });

      it('a gone or not-started queue with a bad or expired signature gets 403, not 404 or a wait', async () => {
        const gone = await goneQueue(short);
        const notStarted = short.rt.createQueueName();
        const past = Math.floor(Date.now() / 1000) - 10;
        for (const name of [gone, notStarted]) {
          const urls = short.rt.rtUrls(name, { itemTemplate: TEMPLATE });
          for (const url of [urls.sse, `${urls.poll}&el=p1&target=%23out`]) {
            expectPlain4xx(
              await request(short.url).get(withParam(url, 'sig', flipped(urls.signature))),
              403,
            );
          }
          for (const route of ['sse', 'poll'] as const) {
            expectPlain4xx(
              await request(short.url).get(
                `${signedUrl(short, route, name, TEMPLATE, 'append', past)}${placement(route)}`,
              ),
              403,
            );
          }
        }
      });
    });
  });

  describe('urlTtlSeconds', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ options: { urlTtlSeconds: 1 } });
    });
    afterAll(() => t.close());

    it('is the lifetime of URLs from rtUrls: exp is now + urlTtlSeconds, and 403 once it has passed', async () => {
      const name = t.rt.createQueueName();
      await t.rt.get(name).push({ n: 1, text: 'one' });
      await t.rt.get(name).complete();
      const before = Math.floor(Date.now() / 1000);
      const urls = t.rt.rtUrls(name, { itemTemplate: TEMPLATE });
      const after = Math.floor(Date.now() / 1000);
      expect(urls.grant.expires).toBeGreaterThanOrEqual(before + 1);
      expect(urls.grant.expires).toBeLessThanOrEqual(after + 1);
      for (const url of [urls.sse, urls.poll])
        expect(param(url, 'exp')).toBe(String(urls.grant.expires));
      // ttlSeconds still overrides it for one URL.
      const longer = t.rt.rtUrls(name, { itemTemplate: TEMPLATE, ttlSeconds: 600 });
      expect(longer.grant.expires).toBeGreaterThanOrEqual(before + 600);

      // exp is a whole second: a URL signed late in a second, with urlTtlSeconds 1, has only
      // the rest of that second to live, and its first request below could meet a 403 (seen
      // on a loaded machine). Sign just after a second starts: the request has ~1 s.
      await new Promise((resolve) => setTimeout(resolve, 1_020 - (Date.now() % 1_000)));
      const jsonUrls = t.rt.rtUrls(name);
      const json = jsonUrls.poll;
      expect((await request(t.url).get(json)).status).toBe(200);
      const refused = await waitFor(
        async () => {
          const res = await request(t.url).get(json);
          return res.status === 403 ? res : undefined;
        },
        'the URL to expire',
        5_000, // bounded: it expires within 2 s of signing (exp is a whole second)
      );
      expectPlain4xx(refused, 403);
      expect(refused.text).toMatch(/expired/i);
      expect(Date.now()).toBeGreaterThan(jsonUrls.grant.expires * 1000);
      expect((await request(t.url).get(t.rt.rtUrls(name, { ttlSeconds: 600 }).poll)).status).toBe(
        200,
      );
    });
  });

  describe('item template rule', () => {
    let t: TestApp;
    let root: string;
    let queue: string;

    /**
     * A templates folder of the test's own, with symlinks made now: one to a template
     * outside the folder, one to a folder outside it, and one that stays inside (allowed).
     */
    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), 'pluto-rt-templates-'));
      const views = join(root, 'views');
      const outside = join(root, 'outside');
      mkdirSync(join(views, 'pluto_rt'), { recursive: true });
      mkdirSync(join(outside, 'pluto_rt'), { recursive: true });
      copyFileSync(
        join(VIEWS_DIR, 'pluto_rt/list_item.hbs'),
        join(views, 'pluto_rt/list_item.hbs'),
      );
      writeFileSync(join(views, 'not_allowed.hbs'), '<p>{{item.text}}</p>');
      writeFileSync(join(outside, 'pluto_rt/secret.hbs'), 'SECRET {{item.text}}');
      symlinkSync(join(outside, 'pluto_rt/secret.hbs'), join(views, 'pluto_rt/escape.hbs'));
      symlinkSync(join(outside, 'pluto_rt'), join(views, 'pluto_rt_out'));
      symlinkSync(join(views, 'pluto_rt/list_item.hbs'), join(views, 'pluto_rt/inside_link.hbs'));
      t = await startTestApp({ options: { templatesDir: views } });
      queue = t.rt.createQueueName();
      await t.rt.get(queue).push({ n: 1, text: 'one' });
    });
    afterAll(async () => {
      await t.close();
      rmSync(root, { recursive: true, force: true });
    });

    const refused: Array<[string, string]> = [
      ['no pluto_rt in the name (file exists)', 'not_allowed'],
      ['no pluto_rt, with .hbs', 'not_allowed.hbs'],
      ['.. segment', 'pluto_rt/../pluto_rt/list_item'],
      ['leading ..', '../views/pluto_rt/list_item'],
      ['. segment', 'pluto_rt/./list_item'],
      ['empty segment', 'pluto_rt//list_item'],
      ['absolute path', '/pluto_rt/list_item'],
      ['absolute path to the real file', `${VIEWS_DIR}/pluto_rt/list_item`],
      ['URL-encoded traversal', 'pluto_rt/%2e%2e%2fpluto_rt/list_item'],
      ['leading URL-encoded traversal', '%2e%2e%2fviews/pluto_rt/list_item'],
      ['NUL byte', 'pluto_rt/list_item\0'],
      ['encoded NUL byte', 'pluto_rt/list_item%00'],
      ['backslash', 'pluto_rt\\list_item'],
      ['backslash traversal', '..\\views\\pluto_rt\\list_item'],
      ['symlinked file escaping the folder', 'pluto_rt/escape'],
      ['file in a symlinked folder outside', 'pluto_rt_out/secret'],
      ['unknown template', 'pluto_rt/missing'],
    ];

    it.each(refused)('rtUrls refuses %s with RtTemplateError', (_, template) => {
      expect(() => t.rt.rtUrls(queue, { itemTemplate: template })).toThrow(RtTemplateError);
    });

    it.each(refused)('HTTP refuses %s with a 4xx, even when signed', async (_, template) => {
      for (const route of ['sse', 'poll'] as const) {
        const url = `${signedUrl(t, route, queue, template, 'append', inAnHour())}${placement(route)}`;
        const res = await request(t.url).get(url);
        expectPlain4xx(res);
        expect(res.text).not.toContain('SECRET');
      }
    });

    it('refuses raw encoded traversal, NUL and backslash in the tpl parameter', async () => {
      const good = t.rt.rtUrls(queue, { itemTemplate: TEMPLATE }).poll;
      for (const raw of [
        'pluto_rt%2f%2e%2e%2flist_item',
        'pluto_rt%252e%252e%252flist_item',
        'pluto_rt/list_item%00',
        'pluto_rt%5clist_item',
      ]) {
        const res = await request(t.url).get(
          good.replace(/tpl=[^&]*/, `tpl=${raw}`) + '&el=p1&target=%23o',
        );
        expectPlain4xx(res);
      }
    });

    it('allows a symlink that stays inside the folder (the rule checks where it resolves)', async () => {
      const urls = t.rt.rtUrls(queue, { itemTemplate: 'pluto_rt/inside_link' });
      const res = await request(t.url).get(`${urls.poll}&el=p1&target=%23o`);
      expect(res.status).toBe(200);
      expect(res.text).toContain('<li class="item" data-n="1">one</li>');
    });
  });

  describe('guards', () => {
    @Injectable()
    class RejectGuard implements CanActivate {
      canActivate(): boolean {
        return false;
      }
    }

    @Injectable()
    class AllowGuard implements CanActivate {
      canActivate(): boolean {
        return true;
      }
    }

    /** Says why, the way auth guards do. */
    @Injectable()
    class LoginGuard implements CanActivate {
      canActivate(): boolean {
        throw new UnauthorizedException('Log in first');
      }
    }

    /** A provider the DI guards need. */
    @Injectable()
    class AccessPolicy {
      readonly token = 'let-me-in';
    }

    /** Lets a request in when its x-token header matches the injected policy. */
    @Injectable()
    class TokenGuard implements CanActivate {
      constructor(private readonly policy: AccessPolicy) {}
      canActivate(context: ExecutionContext): boolean {
        const req = context
          .switchToHttp()
          .getRequest<{ headers: Record<string, string | undefined> }>();
        return req.headers['x-token'] === this.policy.token;
      }
    }

    @Global()
    @Module({ providers: [AccessPolicy], exports: [AccessPolicy] })
    class PolicyModule {}

    /** Boots an app with `guards`, and a completed queue's URLs on it. */
    async function guardedApp(settings: Parameters<typeof startTestApp>[0]) {
      const t = await startTestApp(settings);
      const name = t.rt.createQueueName();
      await t.rt.get(name).push({ n: 1, text: 'one' });
      await t.rt.get(name).complete();
      const urls = t.rt.rtUrls(name, { itemTemplate: TEMPLATE });
      return {
        t,
        sse: urls.sse,
        poll: `${urls.poll}&el=p1&target=%23out`,
        asset: '/pluto-rt/assets/htmx.min.js',
      };
    }

    it('a rejecting guard gives 403 on sse and poll, but not on assets', async () => {
      const { t, sse, poll, asset } = await guardedApp({ options: { guards: [RejectGuard] } });
      try {
        expectPlain4xx(await request(t.url).get(sse), 403);
        expectPlain4xx(await request(t.url).get(poll), 403);
        expectPlain4xx(await request(t.url).get(`${poll}&format=json`), 403);
        expect((await request(t.url).get(asset)).status).toBe(200);
      } finally {
        await t.close();
      }
    });

    it('a rejecting guard also gives 403 on assets with guardAssets: true', async () => {
      const { t, sse, poll, asset } = await guardedApp({
        options: { guards: [new RejectGuard()], guardAssets: true },
      });
      try {
        expectPlain4xx(await request(t.url).get(asset), 403);
        expectPlain4xx(await request(t.url).get(sse), 403);
        expectPlain4xx(await request(t.url).get(poll), 403);
      } finally {
        await t.close();
      }
    });

    it("a guard's own HTTP error reaches the client as a plain 4xx", async () => {
      const { t, sse, poll } = await guardedApp({ options: { guards: [LoginGuard] } });
      try {
        for (const url of [sse, poll]) {
          const res = await request(t.url).get(url);
          expectPlain4xx(res, 401);
          expect(res.text).toBe('Log in first');
        }
      } finally {
        await t.close();
      }
    });

    it('an allowing guard lets requests through', async () => {
      const { t, sse, poll, asset } = await guardedApp({
        options: { guards: [AllowGuard], guardAssets: true },
      });
      try {
        expect((await request(t.url).get(poll)).status).toBe(286);
        const stream = await request(t.url).get(sse).buffer(true);
        expect(stream.status).toBe(200);
        expect(stream.text).toContain('event: close');
        expect((await request(t.url).get(asset)).status).toBe(200);
      } finally {
        await t.close();
      }
    });

    it('a guard class with an injected dependency, provided by the app, works', async () => {
      const { t, sse, poll } = await guardedApp({
        options: { guards: [TokenGuard] },
        providers: [AccessPolicy, TokenGuard],
      });
      try {
        expectPlain4xx(await request(t.url).get(poll), 403);
        expectPlain4xx(await request(t.url).get(sse), 403);
        expectPlain4xx(await request(t.url).get(poll).set('x-token', 'wrong'), 403);
        expect((await request(t.url).get(poll).set('x-token', 'let-me-in')).status).toBe(286);
        expect(
          (await request(t.url).get(sse).set('x-token', 'let-me-in').buffer(true)).status,
        ).toBe(200);
      } finally {
        await t.close();
      }
    });

    it('a guard class that is not a provider is created with its dependency from a global module', async () => {
      const { t, poll } = await guardedApp({
        options: { guards: [TokenGuard] },
        imports: [PolicyModule],
      });
      try {
        expectPlain4xx(await request(t.url).get(poll), 403);
        expect((await request(t.url).get(poll).set('x-token', 'let-me-in')).status).toBe(286);
      } finally {
        await t.close();
      }
    });
  });

  describe('client script assets', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp();
    });
    afterAll(() => t.close());

    it.each(ASSETS)('serves %s with its type, a long immutable cache and an ETag', async (file) => {
      const res = await request(t.url).get(`/pluto-rt/assets/${file}`).buffer(true);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe(
        file.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8',
      );
      expect(res.headers['cache-control']).toMatch(/max-age=31536000/);
      expect(res.headers['cache-control']).toMatch(/immutable/);
      expect(res.headers.etag).toMatch(/^(W\/)?"[^"]+"$/);
      expect(res.text ?? String(res.body)).toBe(ASSET_BODIES[file]!());
    });

    it.each(ASSETS)('answers 304 to If-None-Match with the ETag of %s', async (file) => {
      const first = await request(t.url).get(`/pluto-rt/assets/${file}`);
      const etag = first.headers.etag as string;
      const again = await request(t.url).get(`/pluto-rt/assets/${file}`).set('If-None-Match', etag);
      expect(again.status).toBe(304);
      expect(again.text ?? '').toBe('');
      const stale = await request(t.url)
        .get(`/pluto-rt/assets/${file}`)
        .set('If-None-Match', '"stale"');
      expect(stale.status).toBe(200);
    });

    it('the assets have different ETags', async () => {
      const answers = await Promise.all(
        ASSETS.map((file) => request(t.url).get(`/pluto-rt/assets/${file}`)),
      );
      expect(new Set(answers.map((res) => res.headers.etag)).size).toBe(ASSETS.length);
    });

    it.each([
      'nope.js',
      'sse.min.js',
      'htmx.js',
      '__proto__',
      'constructor',
      'toString',
      'HTMX.MIN.JS',
    ])('answers 404 for the unknown asset %s', async (file) => {
      const res = await request(t.url).get(`/pluto-rt/assets/${file}`);
      expectPlain4xx(res, 404);
    });

    it.each([
      '..%2f..%2fpackage.json',
      '%2e%2e%2f%2e%2e%2fpackage.json',
      '..%5c..%5cpackage.json',
      '%2e%2e%5cpackage.json',
      'htmx.min.js%00',
      'htmx.min.js%2f..%2f..%2f..%2fpackage.json',
      '..%252f..%252fpackage.json',
      '..%2f..%2fnode_modules%2fhtmx.org%2fdist%2fhtmx.min.js',
    ])('answers 404 for the traversal attempt %s', async (path) => {
      const res = await request(t.url).get(`/pluto-rt/assets/${path}`);
      expectPlain4xx(res, 404);
      expect(res.text).not.toContain('"name"');
    });

    it('an unencoded ../ path does not reach a file either', async () => {
      const res = await request(t.url).get('/pluto-rt/assets/../../package.json');
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('nestjs-pluto-rt');
    });
  });
});
