import http from 'node:http';
import fc from 'fast-check';
import type { RtMode } from '../../lib/index.js';
import { boundedRequest, type FuzzRequest } from './helpers/bounded-request.js';
import { busyCounters } from './helpers/idle-stats.js';
import { watchProcess } from './helpers/process-watch.js';
import { suiteSeed } from './helpers/seeded-rng.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

const RUNS = 10_000;
const CONCURRENCY = 16;
const TIMEOUT_MS = 5_000;

/** Arbitrary text that may appear in a URL, raw or percent-encoded (including broken escapes). */
const junk = fc.oneof(
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 40 }).map(encodeURIComponent),
  fc.stringMatching(/^[\w\-.~%!$&'()*+,;=:@/]{0,60}$/),
  fc.constantFrom(
    '',
    '%',
    '%zz',
    '%00',
    '%ff%fe',
    '..',
    '%2e%2e%2f',
    '..%2f..%2fetc%2fpasswd',
    '%0d%0aX-Injected:%201',
    'a'.repeat(5000),
    '\u00e9'.repeat(3).replace(/./g, encodeURIComponent),
  ),
);
/** A header value Node will send (printable ASCII and tab). */
const headerText = fc.oneof(
  fc.stringMatching(/^[\x20-\x7e\t]{0,200}$/),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '0-0',
    '-1-1',
    '99999999999999999999-99999999999999999999',
    '1-',
    '-',
    'x'.repeat(8000),
  ),
);
const streamId = fc.oneof(
  fc.tuple(fc.nat({ max: 2 ** 53 }), fc.nat()).map(([ms, seq]) => `${ms}-${seq}`),
  fc.constantFrom(
    '0',
    '0-0',
    '1700000000000',
    '18446744073709551615-18446744073709551615',
    '18446744073709551616-0',
    '1e3-0',
    '0x10-0',
    ' 1-0',
  ),
  junk,
);
const MODES = ['append', 'reverse', 'replace'] as const;
/** `arb` in `percent` % of the cases, else undefined. */
const sometimes = <T>(arb: fc.Arbitrary<T>, percent: number) =>
  fc.oneof(
    { weight: 100 - percent, arbitrary: fc.constant(undefined) },
    { weight: percent, arbitrary: arb },
  );
const optional = <T>(arb: fc.Arbitrary<T>) => sometimes(arb, 67);

describe('fuzzing the HTTP surface', () => {
  let t: TestApp;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  beforeAll(async () => {
    // Its queues must outlive the run (a busy machine can take over a minute).
    t = await startTestApp({ options: { keepaliveMs: 100, completedTtlSeconds: 3_600 } });
  });
  afterAll(async () => {
    agent.destroy();
    await t.close();
  });

  it(`${RUNS.toLocaleString('en')} generated requests on every route: no 5xx, no error event, no hang, no unhandled rejection`, async () => {
    const watch = watchProcess();
    const open = t.rt.createQueueName();
    const done = t.rt.createQueueName();
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) {
      ids.push(await t.rt.get(open).push({ n, text: `<b>${n}</b>` }));
      ids.push(await t.rt.get(done).push({ n, text: `"${n}'` }));
    }
    await t.rt.get(done).complete();
    const missing = t.rt.createQueueName();

    // A grant signed by the app (valid), optionally with one signed part tampered with.
    const signed = fc
      .record({
        queue: fc.constantFrom(open, done, missing),
        tpl: fc.constantFrom('pluto_rt/list_item', 'pluto_rt/progress', undefined),
        mode: fc.constantFrom<RtMode>(...MODES),
        ttl: fc.integer({ min: 1, max: 10_000_000 }),
        tamper: sometimes(
          fc.record({ part: fc.constantFrom('tpl', 'mode', 'exp', 'sig'), value: junk }),
          30,
        ),
      })
      .map(({ queue, tpl, mode, ttl, tamper }) => {
        const { grant, signature } = t.rt.rtUrls(queue, {
          itemTemplate: tpl,
          mode,
          ttlSeconds: ttl,
        });
        const parts: Record<string, string> = {
          tpl: encodeURIComponent(grant.template),
          mode,
          exp: String(grant.expires),
          sig: signature,
        };
        if (tamper) parts[tamper.part] = tamper.value;
        return { queue, parts };
      });
    const unsigned = fc.record({
      queue: fc.oneof(
        fc.constantFrom(open, done, missing, 'rtq_', `${open}x`),
        fc.stringMatching(/^[\w-]{1,300}$/),
        junk,
      ),
      parts: fc.record({
        tpl: optional(junk),
        mode: optional(fc.oneof(fc.constantFrom(...MODES), junk)),
        exp: optional(junk),
        sig: optional(junk),
      }),
    });
    // Mostly well-formed values (so that requests get past validation), sometimes junk.
    const mostly = <T extends string>(valid: fc.Arbitrary<T>) =>
      optional(fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: junk }));
    const extras = fc.record({
      after: mostly(fc.oneof(fc.constantFrom(...ids), streamId)),
      count: mostly(fc.integer({ min: -10, max: 2000 }).map(String)),
      format: mostly(fc.constantFrom('json', 'html')),
      el: mostly(fc.constantFrom('poller', 'p-1')),
      target: mostly(fc.constantFrom('#results', '.list', 'results')),
      every: mostly(fc.constantFrom('1s', '500ms', '0ms', '999999s')),
      repeat: sometimes(fc.constantFrom('after', 'tpl', 'sig', 'count', 'mode'), 10),
      extra: sometimes(fc.tuple(junk, junk), 20),
    });
    const streamRoute = fc
      .record({
        route: fc.constantFrom('sse', 'poll'),
        target: fc.oneof(signed, unsigned),
        extras,
      })
      .map(({ route, target, extras: x }) => {
        const query = Object.entries({ ...target.parts, ...x })
          .filter(([key, value]) => value !== undefined && !['repeat', 'extra'].includes(key))
          .map(([key, value]) => `${key}=${value as string}`);
        if (x.repeat) query.push(`${x.repeat}=0`);
        if (x.extra) query.push(`${x.extra[0]}=${x.extra[1]}`);
        return `/pluto-rt/${route}/${target.queue}?${query.join('&')}`;
      });
    const assetRoute = fc
      .tuple(
        fc.oneof(
          fc.constantFrom('htmx.min.js', 'htmx-ext-sse.js', 'pluto-rt.js', 'x.js', ''),
          junk,
        ),
        optional(junk),
      )
      .map(([file, v]) => `/pluto-rt/assets/${file}${v === undefined ? '' : `?v=${v}`}`);
    const randomRoute = fc
      .array(fc.oneof(junk, fc.constantFrom('sse', 'poll', 'assets', '..', '.', '')), {
        maxLength: 5,
      })
      .map((segments) => `/pluto-rt/${segments.join('/')}`);

    const requestArb: fc.Arbitrary<FuzzRequest> = fc
      .record({
        path: fc.oneof(
          { weight: 4, arbitrary: streamRoute },
          { weight: 1, arbitrary: assetRoute },
          { weight: 1, arbitrary: randomRoute },
        ),
        method: fc.oneof(
          { weight: 17, arbitrary: fc.constant('GET') },
          {
            weight: 1,
            arbitrary: fc.constantFrom('HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'),
          },
        ),
        lastEventId: optional(
          fc.oneof(
            fc.constantFrom(...ids),
            streamId.filter((s) => /^[\x20-\x7e]*$/.test(s)),
            headerText,
          ),
        ),
        accept: optional(
          fc.oneof(
            fc.constantFrom(
              'text/event-stream',
              'application/json',
              'text/html',
              '*/*',
              'application/json, text/html',
              'text/event-stream;q=0.1, application/json',
            ),
            headerText,
          ),
        ),
        ifNoneMatch: optional(headerText),
      })
      .map(({ path, method, lastEventId, accept, ifNoneMatch }) => {
        const headers: Record<string, string> = {};
        if (lastEventId !== undefined) headers['Last-Event-ID'] = lastEventId;
        if (accept !== undefined) headers.Accept = accept;
        if (ifNoneMatch !== undefined) headers['If-None-Match'] = ifNoneMatch;
        // What Node's client refuses to send raw (spaces, controls, non-ASCII) goes encoded.
        return {
          method,
          path: path.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c)),
          headers,
        };
      });

    const seed = suiteSeed('fuzz');
    const inputs = fc.sample(requestArb, { numRuns: RUNS, seed });
    const statuses = new Map<number, number>();
    const failures: Array<{ req: FuzzRequest; problem: string }> = [];
    let streamed = 0;
    let next = 0;
    const started = Date.now();
    const worker = async () => {
      while (next < inputs.length) {
        const req = inputs[next++]!;
        try {
          const answer = await boundedRequest(t.url, req, agent, TIMEOUT_MS);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          if (answer.streamed) streamed++;
          if (answer.status >= 500)
            failures.push({ req, problem: `${answer.status} ${answer.body.slice(0, 200)}` });
          if (/^event: error$/m.test(answer.body))
            failures.push({ req, problem: `error event: ${answer.body.slice(0, 200)}` });
        } catch (err) {
          failures.push({ req, problem: String(err) });
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const fiveXx = [...statuses]
      .filter(([status]) => status >= 500)
      .reduce((sum, [, n]) => sum + n, 0);
    process.stdout.write(
      `[fuzz] ${inputs.length} requests in ${Date.now() - started} ms (seed ${seed}): statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}, ` +
        `streams opened and cut ${streamed}, 5xx ${fiveXx}, failures ${failures.length}\n`,
    );
    expect(failures.slice(0, 5)).toEqual([]);
    // Every request was answered, and the mix got past validation and the signature to the
    // routes' work (items: 200, nothing new: 204, open streams), besides each kind of refusal.
    const answered = [...statuses.values()].reduce((sum, n) => sum + n, 0);
    expect(answered).toBe(RUNS);
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([200, 204, 400, 403, 404]));
    expect(streamed).toBeGreaterThan(0);

    // Everything the fuzz opened was released, and the app still serves.
    await waitFor(
      () => Object.keys(busyCounters(t.rt.stats())).length === 0,
      'every stream to be released',
      10_000,
    );
    expect(busyCounters(t.rt.stats())).toEqual({});
    const check = await boundedRequest(
      t.url,
      { method: 'GET', path: t.rt.rtUrls(done).poll, headers: {} },
      agent,
      TIMEOUT_MS,
    );
    expect([check.status, JSON.parse(check.body).complete]).toEqual([200, true]);
    watch.stop();
    expect(watch.rejections).toEqual([]);
    expect(watch.exceptions).toEqual([]);
  }, 150_000);
});
