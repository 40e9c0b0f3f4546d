import http from 'node:http';
import net from 'node:net';
import { Redis } from 'ioredis';
import request from 'supertest';
import { RtRedisUnavailableError } from '../../lib/index.js';
import { startPrivateRedis, type PrivateRedis } from '../../scripts/redis-env.mjs';
import { subscriberCounts } from '../helpers/redis-inspect.js';
import { RedisConnections } from '../../lib/store/redis-connections.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

const COMMAND_TIMEOUT_MS = 500;
/**
 * A push while Redis is down settles with its error rather than hang: several times
 * commandTimeoutMs, so that a slow machine does not fail it. The latency itself is a bench
 * figure ("push rejection latency while Redis is down").
 */
const NOT_HUNG_MS = COMMAND_TIMEOUT_MS * 6;
const UNAVAILABLE = 'Live results are unavailable right now: retry later';

interface SseResult {
  status: number;
  contentType: string;
  body: string;
}

/**
 * GETs an SSE URL and reads until `until` matches the body, the response ends, or
 * `timeoutMs` passes from the request (status 0 if no answer came by then); then drops the
 * connection (as a closed tab does).
 */
function readSse(
  baseUrl: string,
  path: string,
  until: RegExp,
  timeoutMs = 5_000,
): Promise<SseResult> {
  return new Promise((resolve, reject) => {
    let result: SseResult = { status: 0, contentType: '', body: '' };
    const finish = () => {
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const timer = setTimeout(finish, timeoutMs);
    const req = http.get(
      `${baseUrl}${path}`,
      { agent: false, headers: { accept: 'text/event-stream' } },
      (res) => {
        result = {
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type']),
          body: '',
        };
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          result.body += chunk;
          if (until.test(result.body)) finish();
        });
        res.on('end', finish);
        res.on('error', finish);
      },
    );
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Settles with `promise`, or rejects naming `what` once `timeoutMs` passed. */
function within<T>(promise: Promise<T>, what: string, timeoutMs = 5_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${timeoutMs} ms: ${what}`)),
      timeoutMs,
    );
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * The host process. Jest hands each test file a copy of `process` whose events never fire;
 * jest-circus keeps the real one in its state, which is where an unhandled rejection is
 * emitted. Fails loudly if a Jest upgrade moves it, rather than silently checking nothing.
 */
function hostProcess(): NodeJS.Process {
  const symbol = Object.getOwnPropertySymbols(globalThis).find(
    (s) => s.description === 'JEST_STATE_SYMBOL',
  );
  const state =
    symbol && (globalThis as unknown as Record<symbol, { parentProcess?: NodeJS.Process }>)[symbol];
  if (!state?.parentProcess)
    throw new Error('cannot find the host process in the jest-circus state');
  return state.parentProcess;
}

describe('Redis down', () => {
  let server: PrivateRedis;
  let serverUp = false;
  let t: TestApp;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  /**
   * While Redis is down its port stays ours: a listener that drops every connection (the
   * app sees its connections fail, as with no server). Released just before Redis starts
   * again on it, so that another suite's private server cannot take the port meanwhile.
   */
  let placeholder: net.Server | undefined;

  async function startRedis(port?: number): Promise<void> {
    await new Promise((resolve) => (placeholder ? placeholder.close(resolve) : resolve(null)));
    placeholder = undefined;
    server = await startPrivateRedis(port);
    serverUp = true;
  }

  async function stopRedis(): Promise<void> {
    await server.stop();
    serverUp = false;
    const holder = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      holder.once('error', reject);
      holder.listen(server.port, '127.0.0.1', () => resolve());
    });
    placeholder = holder;
  }

  beforeAll(async () => {
    hostProcess().on('unhandledRejection', onUnhandled);
    await startRedis();
    t = await startTestApp({
      options: { redis: { url: server.url }, commandTimeoutMs: COMMAND_TIMEOUT_MS },
    });
  });

  afterAll(async () => {
    // The app closes its connections cleanly only with a Redis to say goodbye to.
    if (!serverUp) await startRedis(server.port);
    await t.close();
    await server.stop(); // for good: no placeholder
    hostProcess().off('unhandledRejection', onUnhandled);
  });

  it('the unhandled-rejection collector sees a real unhandled rejection', async () => {
    const probe = Promise.reject(new Error('probe'));
    await waitFor(() => unhandled.length > 0, 'the probe rejection to be collected');
    expect(String(unhandled.splice(0))).toContain('probe');
    // Handled late: once Node reports it handled, Jest forgets it too and this test passes.
    let handled = false;
    const onHandled = (promise: Promise<unknown>) => (handled ||= promise === probe);
    hostProcess().on('rejectionHandled', onHandled);
    try {
      await probe.catch(() => undefined);
      await waitFor(() => handled, 'Node to report the probe handled');
    } finally {
      hostProcess().off('rejectionHandled', onHandled);
    }
  });

  it('logs one warning per connection when Redis goes away, and one line when it is back', async () => {
    const lines: Array<[string, string]> = [];
    const record = (level: string) => (message: unknown) =>
      void lines.push([level, String(message)]);
    t.app.useLogger({ log: record('log'), warn: record('warn'), error: record('error') });
    // The reader connects with the first stream.
    const sub = t.rt.stream(t.rt.createQueueName()).subscribe({ error: () => undefined });
    try {
      await t.rt.get(t.rt.createQueueName()).push({ n: 1 });
      await waitFor(() => t.rt.stats().waitingForStart === 1, 'a stream waiting on the reader');
      const { command } = t.app.get(RedisConnections);
      let failedAttempts = 0;
      const onError = () => void failedAttempts++;
      command.on('error', onError);
      await stopRedis();
      // Several reconnect attempts fail meanwhile: each is an 'error', none a new warning.
      await waitFor(() => failedAttempts >= 3, 'three failed reconnect attempts');
      command.off('error', onError);
      await startRedis(server.port);
      const about = () =>
        lines
          .filter(([, message]) => message.startsWith('Redis connection'))
          .map(([level, message]) => [
            level,
            message
              .replace(/\): .*; reconnecting$/, '): ...; reconnecting')
              .replace(/\d+ ms$/, 'N ms'),
          ]);
      await waitFor(() => about().length === 4, 'both connections to report their recovery');
      expect(about().sort()).toEqual(
        [
          ['log', 'Redis connection is back (command) after N ms'],
          ['log', 'Redis connection is back (reader) after N ms'],
          ['warn', 'Redis connection error (command): ...; reconnecting'],
          ['warn', 'Redis connection error (reader): ...; reconnecting'],
        ].sort(),
      );
    } finally {
      sub.unsubscribe();
      t.app.useLogger(['error', 'warn']);
    }
  });

  it('fails fast and cleanly while Redis is down, and recovers when it returns', async () => {
    const itemTemplate = 'pluto_rt/list_item';
    const before = t.rt.createQueueName();
    await t.rt.get(before).push({ n: 1, text: 'before the outage' });
    const urls = t.rt.rtUrls(before, { itemTemplate });
    const ok = await readSse(t.url, urls.sse, /before the outage/);
    expect(ok.status).toBe(200);

    await stopRedis();

    // push rejects with RtRedisUnavailableError, and does not hang.
    for (let attempt = 0; attempt < 3; attempt++) {
      const started = Date.now();
      const err = await t.rt
        .get(before)
        .push({ n: 2 })
        .catch((e: unknown) => e);
      const elapsed = Date.now() - started;
      expect(err).toBeInstanceOf(RtRedisUnavailableError);
      expect((err as Error).message).toMatch(/Redis is unavailable: push failed/);
      expect(elapsed).toBeLessThanOrEqual(NOT_HUNG_MS);
    }
    const completeErr = await t.rt
      .get(before)
      .complete()
      .catch((e: unknown) => e);
    expect(completeErr).toBeInstanceOf(RtRedisUnavailableError);

    // The SSE endpoint answers 503 with one plain line (not a stream, not a 500).
    const sse = await request(t.url).get(urls.sse).timeout(5_000);
    expect(sse.status).toBe(503);
    expect(sse.headers['content-type']).toMatch(/^text\/plain/);
    expect(sse.text).toBe(UNAVAILABLE);

    // Polling answers 503 the same way, in both formats.
    const poll = await request(t.url).get(`${urls.poll}&el=p&target=%23r`).timeout(5_000);
    expect(poll.status).toBe(503);
    expect(poll.headers['content-type']).toMatch(/^text\/plain/);
    expect(poll.text).toBe(UNAVAILABLE);
    await request(t.url).get(t.rt.rtUrls(before).poll).timeout(5_000).expect(503);

    // A stream() subscription errors with the typed error rather than hanging.
    const streamErr = await within(
      new Promise((resolve) => {
        t.rt.stream(before).subscribe({ error: resolve, complete: () => resolve('completed') });
      }),
      'stream() while Redis is down',
    );
    expect(streamErr).toBeInstanceOf(RtRedisUnavailableError);

    // The process runs on: the server answers what needs no Redis.
    await request(t.url).get('/pluto-rt/assets/htmx.min.js').expect(200);

    // Redis returns (empty: the private server keeps nothing) on the same port.
    await startRedis(server.port);

    const after = t.rt.createQueueName();
    const q = t.rt.get(after);
    await waitFor(
      () => q.push({ n: 1, text: 'after the outage' }).then(() => true),
      'a push to succeed after Redis returned',
    );
    await q.push({ n: 2, text: 'second after' });
    const inspector = new Redis(server.url);
    try {
      expect(await inspector.xlen(t.key(after))).toBe(2);
    } finally {
      await inspector.quit();
    }

    // A new SSE stream works (once the reader has reconnected too).
    const afterUrls = t.rt.rtUrls(after, { itemTemplate });
    const resumed = await waitFor(async () => {
      const res = await readSse(t.url, afterUrls.sse, /second after/, 2_000);
      return res.status === 200 && /second after/.test(res.body) ? res : undefined;
    }, 'a new SSE stream to deliver items');
    expect(resumed.contentType).toMatch(/^text\/event-stream/);
    expect(resumed.body).toMatch(
      /id: \d+-\d+\ndata: <li class="item" data-n="1">after the outage<\/li>/,
    );

    // And it is live: an item pushed while it is open arrives, then the close event.
    const live = readSse(t.url, afterUrls.sse, /event: close/);
    await waitFor(() => t.rt.stats().streams > 0, 'the stream to open');
    await q.push({ n: 3, text: 'live' });
    await q.complete();
    const liveResult = await live;
    expect(liveResult.body).toContain('data-n="3">live</li>');
    expect(liveResult.body).toMatch(/event: close\n(id: \d+-\d+\n)?data: complete\n/);

    expect(unhandled).toEqual([]);
  });

  it('a stream or SSE client that leaves while Redis is away leaves nothing behind: no subscription, no 500, no error log', async () => {
    const name = t.rt.createQueueName();
    await t.rt.get(name).push({ n: 1, text: 'before' });
    const sseUrl = t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' }).sse;
    const statuses: number[] = [];
    const seen: string[] = [];
    const httpServer = t.app.getHttpServer() as http.Server;
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
      seen.push(req.url ?? '');
      res.on('close', () => statuses.push(res.statusCode));
    };
    httpServer.on('request', onRequest);
    const errors: string[] = [];
    t.app.useLogger({
      log: () => undefined,
      warn: () => undefined,
      error: (message: unknown) => errors.push(String(message)),
    });
    try {
      await stopRedis();
      t.rt.stream(name).subscribe().unsubscribe();
      // An SSE client that leaves while its stream waits for Redis (under commandTimeoutMs).
      const req = http.get(`${t.url}${sseUrl}`, { agent: false });
      req.on('error', () => undefined);
      await waitFor(() => seen.length === 1, 'the server to see the request');
      req.destroy();
      await waitFor(() => statuses.length === 1, 'the server to close the response');
      await startRedis(server.port);
      // Absence cannot be awaited: watch past the bound at which a stream waiting for Redis
      // gives up (commandTimeoutMs), when an error would have been logged.
      await new Promise((resolve) => setTimeout(resolve, COMMAND_TIMEOUT_MS + 300));
      expect(statuses[0]).not.toBe(500);
      expect(errors).toEqual([]);

      // Once a later stream is live on the reader, no SUBSCRIBE of the first is outstanding.
      const later = t.rt.createQueueName();
      const q = t.rt.get(later);
      await waitFor(() => q.push({ n: 1 }).then(() => true), 'Redis to be back');
      // A stream opened as the reader comes back may be refused once (503): open again.
      const live = await waitFor(
        () =>
          within(
            new Promise<unknown>((resolve, reject) => {
              const sub = t.rt.stream(later).subscribe({
                next: (message) => {
                  sub.unsubscribe();
                  resolve(message);
                },
                error: reject,
              });
            }),
            'the first item of a stream opened after Redis returned',
          ),
        'a stream opened after Redis returned to deliver its first item',
      );
      expect(live).toMatchObject({ item: { n: 1 } });
      const inspector = new Redis(server.url);
      try {
        expect(await subscriberCounts(inspector, [t.key(name)])).toEqual([0]);
      } finally {
        await inspector.quit();
      }
      expect(t.rt.stats()).toMatchObject({ streams: 0, queues: 0 });
      expect(unhandled).toEqual([]);
    } finally {
      httpServer.off('request', onRequest);
      t.app.useLogger(['error', 'warn']);
    }
  });

  // Last in the file: on ioredis 5.3 (below the range's floor, 5.8.1, since), an app whose
  // reader the server killed was seen to leave later SUBSCRIBEs unanswered across a Redis
  // restart (about one run in three; never on ioredis 6), which is not what this test is about.
  it('logs a connection the server closed cleanly (no error event) as an outage, and its return', async () => {
    const lines: string[] = [];
    const record = (message: unknown) => void lines.push(String(message));
    t.app.useLogger({ log: record, warn: record, error: record });
    const name = t.rt.createQueueName();
    const items: unknown[] = [];
    const sub = t.rt.stream(name).subscribe({ next: (m) => void items.push(m) });
    const inspector = new Redis(server.url);
    try {
      await t.rt.get(name).push({ n: 1 });
      await waitFor(() => items.length === 1, 'the stream to be live');
      // Only the reader is in pub/sub mode: the server closes it, and nothing errs.
      expect(await inspector.client('KILL', 'TYPE', 'pubsub')).toBe(1);
      const about = () => lines.filter((line) => line.startsWith('Redis connection'));
      await waitFor(() => about().length === 2, 'the reader to report its outage and return');
      expect(about()[0]).toBe('Redis connection error (reader): connection closed; reconnecting');
      expect(about()[1]).toMatch(/^Redis connection is back \(reader\) after \d+ ms$/);
      // And the stream is still live on the new connection.
      await waitFor(
        () => lines.some((line) => line.startsWith('Reader resubscribed')),
        'the resubscription',
      );
      await t.rt.get(name).push({ n: 2 });
      await waitFor(() => items.length === 2, 'an item pushed after the reconnect');
    } finally {
      sub.unsubscribe();
      await inspector.quit();
      t.app.useLogger(['error', 'warn']);
    }
  });
});
