import request from 'supertest';
import {
  MAX_GROUP_QUEUES,
  RtError,
  RtQueueNameError,
  RtTemplateError,
  type RtGroupMember,
} from '../../lib/index.js';
import { listMembers, pastExpiry, signedGroupUrl } from '../helpers/group.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/** `url` with its `q` list replaced by `parts` (the signature left as it was). */
function withMembers(url: string, parts: string[]): string {
  const parsed = new URL(url, 'http://x');
  parsed.searchParams.delete('q');
  const rest = parsed.searchParams.toString();
  const q = new URLSearchParams(parts.map((part): [string, string] => ['q', part]));
  return `${parsed.pathname}?${q.toString()}&${rest}`;
}

const partsOf = (url: string) => new URL(url, 'http://x').searchParams.getAll('q');

describe('signed groups (e2e)', () => {
  let t: TestApp;
  let members: RtGroupMember[];
  beforeAll(async () => {
    t = await startTestApp();
    members = [
      ...listMembers(t, 2),
      {
        queue: t.rt.createQueueName(),
        itemTemplate: 'pluto_rt/progress',
        mode: 'replace' as const,
        target: '#bar',
      },
    ].map(({ queue, itemTemplate, mode, target }) => ({ queue, itemTemplate, mode, target }));
    for (const { queue } of members) await t.rt.get(queue).complete();
  });
  afterAll(() => t.close());

  /** The group's URLs on both routes (the poll one with a group poller's placement). */
  const routes = (urls: { sse: string; poll: string }) => ({
    sse: urls.sse,
    poll: `${urls.poll}&el=g1`,
  });

  it('a signed group is served on both routes', async () => {
    const { sse, poll } = routes(t.rt.rtGroupUrls(members));
    const stream = await request(t.url).get(sse).buffer(true);
    expect(stream.status).toBe(200);
    expect(stream.text).toContain('event: close');
    expect((await request(t.url).get(poll)).status).toBe(286);
  });

  describe.each(['sse', 'poll'] as const)('on %s, tampering gives 403', (route) => {
    const other = 'rtq_AAAAAAAAAAAAAAAAAAAAAA';
    const edits: Array<[string, (parts: string[]) => string[]]> = [
      ['a queue changed', (p) => [p[0]!.replace(/^[^:]+/, other), p[1]!, p[2]!]],
      [
        'a template changed',
        (p) => [p[0]!, p[1]!, p[2]!.replace('pluto_rt/progress', 'pluto_rt/list_item')],
      ],
      ['a mode changed', (p) => [p[0]!.replace(':append:', ':reverse:'), p[1]!, p[2]!]],
      ['a target changed', (p) => [p[0]!, p[1]!.replace(':#q1', ':#elsewhere'), p[2]!]],
      ['a queue added', (p) => [...p, `${other}:pluto_rt/list_item:append:#x`]],
      ['a queue removed', (p) => p.slice(0, 2)],
      ['the order changed', (p) => [p[1]!, p[0]!, p[2]!]],
      ['a queue repeated in place of another', (p) => [p[0]!, p[0]!, p[2]!]],
      [
        'read as JSON (templates and targets dropped)',
        (p) => p.map((m) => m.replace(/^([^:]+):[^:]*:([^:]+):.*$/, '$1::$2:')),
      ],
    ];
    it.each(edits)('%s', async (_, edit) => {
      const url = routes(t.rt.rtGroupUrls(members))[route];
      const tampered = withMembers(url, edit(partsOf(url)));
      expect(partsOf(tampered)).not.toEqual(partsOf(url));
      const res = await request(t.url).get(tampered);
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toBe('Bad signature');
    });

    it('the expiry changed, or the signature', async () => {
      const urls = t.rt.rtGroupUrls(members);
      const url = routes(urls)[route];
      for (const tampered of [
        url.replace(/exp=\d+/, `exp=${urls.grant.expires + 60}`),
        url.replace(/sig=([\w-])/, (_, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`),
        url.replace(/&sig=[\w-]+/, ''),
      ])
        expect((await request(t.url).get(tampered)).status).toBe(403);
    });

    it('an expired group URL gets 403 mentioning expiry', async () => {
      const { grant } = t.rt.rtGroupUrls(members);
      const url = signedGroupUrl(t, route, { ...grant, expires: pastExpiry() });
      const res = await request(t.url).get(route === 'poll' ? `${url}&el=g1` : url);
      expect(res.status).toBe(403);
      expect(res.text).toMatch(/expired/);
    });

    it(`a group of 0 or of more than ${MAX_GROUP_QUEUES} queues gets 400, before any signature check`, async () => {
      const url = routes(t.rt.rtGroupUrls(members))[route];
      const one = partsOf(url)[0]!;
      for (const parts of [[], Array<string>(MAX_GROUP_QUEUES + 1).fill(one)]) {
        const res = await request(t.url).get(withMembers(url, parts));
        expect(res.status).toBe(400);
        expect(res.text).toBe(
          `Invalid group: 1 to ${MAX_GROUP_QUEUES} queues (q), got ${parts.length}`,
        );
      }
    });

    it.each([
      ['a member without its four parts', 'rtq_x:pluto_rt/list_item:append', /Invalid q number 1/],
      ['a bad queue name', 'rtq x:pluto_rt/list_item:append:#a', /queue 1: invalid queue name/],
      [
        'a traversing template',
        'rtq_x:pluto_rt/../secret:append:#a',
        /queue 1: invalid item template/,
      ],
      ['an unknown mode', 'rtq_x:pluto_rt/list_item:up:#a', /queue 1: invalid mode/],
      [
        'a target that selects across the page',
        'rtq_x:pluto_rt/list_item:append:body *',
        /queue 1: invalid target/,
      ],
      ['a template without a target', 'rtq_x:pluto_rt/list_item:append:', /needs a target/],
    ])('%s gets 400', async (_, part, message) => {
      const url = routes(t.rt.rtGroupUrls(members))[route];
      const res = await request(t.url).get(withMembers(url, [part]));
      expect(res.status).toBe(400);
      expect(res.text).toMatch(message);
    });
  });

  it('a JSON group and an HTML group of the same queues have different signatures', () => {
    const queues = members.map(({ queue }) => ({ queue }));
    expect(t.rt.rtGroupUrls(queues).signature).not.toBe(t.rt.rtGroupUrls(members).signature);
  });

  describe('rtGroupUrls', () => {
    it.each<[string, RtGroupMember[], new (...args: never[]) => RtError, RegExp]>([
      ['no queue', [], RtError, /1 to 16 queues, got 0/],
      [
        '17 queues',
        Array.from({ length: 17 }, (_, i) => ({ queue: `rtq_${i}` })),
        RtError,
        /got 17/,
      ],
      ['a malformed queue name', [{ queue: 'a b' }], RtQueueNameError, /Invalid queue name/],
      [
        'an unknown template',
        [{ queue: 'rtq_a', itemTemplate: 'pluto_rt/nope', target: '#a' }],
        RtTemplateError,
        /Unknown item template/,
      ],
      [
        'a template without pluto_rt',
        [{ queue: 'rtq_a', itemTemplate: 'not_allowed', target: '#a' }],
        RtTemplateError,
        /pluto_rt/,
      ],
      [
        'templates on some queues only',
        [{ queue: 'rtq_a', itemTemplate: 'pluto_rt/list_item', target: '#a' }, { queue: 'rtq_b' }],
        RtError,
        /either every queue has an item template/,
      ],
      [
        'a missing target',
        [{ queue: 'rtq_a', itemTemplate: 'pluto_rt/list_item' }],
        RtError,
        /needs a target/,
      ],
      ['a target in a JSON group', [{ queue: 'rtq_a', target: '#a' }], RtError, /has no targets/],
      [
        'a target that is no simple selector',
        [{ queue: 'rtq_a', itemTemplate: 'pluto_rt/list_item', target: 'ul li' }],
        RtError,
        /invalid target/,
      ],
    ])('refuses %s with a typed error', (_, group, type, message) => {
      const call = () => t.rt.rtGroupUrls(group);
      expect(call).toThrow(type);
      expect(call).toThrow(message);
    });

    it('refuses a ttlSeconds its routes would refuse, and sets the expiry from it', () => {
      expect(() => t.rt.rtGroupUrls(members, { ttlSeconds: 0 })).toThrow(/Invalid ttlSeconds 0/);
      const now = Math.floor(Date.now() / 1000);
      expect(t.rt.rtGroupUrls(members, { ttlSeconds: 60 }).grant.expires).toBeGreaterThanOrEqual(
        now + 60,
      );
    });
  });
});
