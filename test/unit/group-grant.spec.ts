import type { PlutoRtConfig } from '../../lib/options/pluto-rt-config.js';
import {
  checkGroup,
  decodeMember,
  encodeMember,
  groupProblem,
  MAX_GROUP_QUEUES,
  signGroup,
  type GroupGrant,
  type GroupMember,
} from '../../lib/security/group-grant.js';
import { groupUrl } from '../../lib/security/stream-urls.js';
import { UrlSigner } from '../../lib/security/url-signer.js';

const signer = new UrlSigner({
  secret: 'unit-secret-0123456789-abcdefghijklmnop',
} as PlutoRtConfig);
const NOW = Date.UTC(2030, 0, 1);

const member = (n: number, over: Partial<GroupMember> = {}): GroupMember => ({
  queue: `rtq_${String(n).padStart(22, 'A')}`,
  template: 'pluto_rt/list_item',
  mode: 'append',
  target: `#job-${n}`,
  keep: 0,
  routes: [],
  ...over,
});

const grant: GroupGrant = {
  members: [member(1), member(2, { mode: 'replace', template: 'pluto_rt/progress' }), member(3)],
  format: 'html',
  expires: NOW / 1000 + 60,
};

describe('group grants', () => {
  it('a member travels in a URL as queue:template:mode:target and back', () => {
    expect(encodeMember(member(1))).toBe(`${member(1).queue}:pluto_rt/list_item:append:#job-1`);
    expect(decodeMember(encodeMember(member(1)))).toEqual(member(1));
    expect(decodeMember('rtq_a::append:')).toEqual({
      queue: 'rtq_a',
      template: '',
      mode: 'append',
      target: '',
      keep: 0,
      routes: [],
    });
    expect(decodeMember('rtq_a:pluto_rt/x:append')).toBeUndefined();
    expect(decodeMember('rtq_a:pluto_rt/x:append:#a:extra')).toBeUndefined();
    expect(decodeMember('rtq_a:pluto_rt/x:append:#a:x:')).toBeUndefined();
    expect(decodeMember('rtq_a:pluto_rt/x:append:#a:0:bad-route')).toBeUndefined();
  });

  it('a member that keeps or routes adds :keep:routes, and comes back the same', () => {
    const routed = {
      ...member(1),
      keep: 50,
      routes: [
        {
          type: 'progress',
          template: 'pluto_rt/progress',
          mode: 'replace' as const,
          target: '#bar',
          keep: 0,
        },
        {
          type: 'file',
          template: 'pluto_rt/file_row',
          mode: 'append' as const,
          target: '#files',
          keep: 10,
        },
      ],
    };
    expect(encodeMember(routed)).toBe(
      `${routed.queue}:pluto_rt/list_item:append:#job-1:50:` +
        'progress|pluto_rt/progress|replace|#bar|0,file|pluto_rt/file_row|append|#files|10',
    );
    expect(decodeMember(encodeMember(routed))).toEqual(routed);
  });

  it('groupUrl lists the members as repeated q, in order, then exp and sig', () => {
    const url = new URL(groupUrl('rt', 'sse', grant, 'SIG', { el: 'dash' }), 'http://x');
    expect(url.pathname).toBe('/rt/group/sse');
    expect(url.searchParams.getAll('q')).toEqual(grant.members.map(encodeMember));
    expect(url.searchParams.get('exp')).toBe(String(grant.expires));
    expect(url.searchParams.get('sig')).toBe('SIG');
    expect(url.searchParams.get('el')).toBe('dash');
  });

  it('HTML when every member has a template and a target; JSON when none has either', () => {
    expect(groupProblem(grant.members)).toEqual({ format: 'html' });
    const json = [member(1, { template: '', target: '' }), member(2, { template: '', target: '' })];
    expect(groupProblem(json)).toEqual({ format: 'json' });
  });

  it.each([
    ['no member', [], /1 to 16 queues, got 0/],
    ['17 members', Array.from({ length: 17 }, (_, i) => member(i)), /1 to 16 queues, got 17/],
    ['a bad queue name', [member(1, { queue: 'a b' })], /queue 1: invalid queue name/],
    [
      'a traversing template',
      [member(1), member(2, { template: 'pluto_rt/../x' })],
      /queue 2: invalid item template/,
    ],
    ['an unknown mode', [member(1, { mode: 'sideways' as never })], /invalid mode/],
    ['a selector that is not simple', [member(1, { target: '#a .b' })], /invalid target/],
    [
      'a template on some members only',
      [member(1), member(2, { template: '', target: '' })],
      /every queue has an item template .* or none/,
    ],
    ['a JSON member with a target', [member(1, { template: '' })], /JSON group .* has no targets/],
    ['an HTML member without a target', [member(1, { target: '' })], /needs a target/],
  ])('refuses %s', (_, members, message) => {
    const verdict = groupProblem(members as GroupMember[]);
    expect('problem' in verdict && verdict.problem).toMatch(message);
  });

  it(`allows exactly ${MAX_GROUP_QUEUES} members`, () => {
    const members = Array.from({ length: MAX_GROUP_QUEUES }, (_, i) => member(i));
    expect(groupProblem(members)).toEqual({ format: 'html' });
  });

  it('signs every part: the signature checks, and fails for any change', () => {
    const sig = signGroup(signer, grant);
    expect(sig).toMatch(/^[\w-]{43}$/);
    expect(checkGroup(signer, grant, sig, NOW)).toBe('ok');
    const [a, b, c] = grant.members as [GroupMember, GroupMember, GroupMember];
    const changed: GroupMember[][] = [
      [{ ...a, queue: member(9).queue }, b, c],
      [a, { ...b, template: 'pluto_rt/list_item' }, c],
      [a, b, { ...c, mode: 'reverse' }],
      [a, b, { ...c, target: '#elsewhere' }],
      [a, b],
      [a, b, c, member(4)],
      [b, a, c],
      [a, b, c, c],
    ];
    for (const members of changed)
      expect(checkGroup(signer, { ...grant, members }, sig, NOW)).toBe('bad-signature');
    expect(checkGroup(signer, { ...grant, format: 'json' }, sig, NOW)).toBe('bad-signature');
    expect(checkGroup(signer, { ...grant, expires: grant.expires + 1 }, sig, NOW)).toBe(
      'bad-signature',
    );
  });

  it("signs a member's keep and every field of its routes", () => {
    const bar = {
      type: 'progress',
      template: 'pluto_rt/progress',
      mode: 'replace' as const,
      target: '#bar',
      keep: 0,
    };
    const routed = { ...grant, members: [member(1, { keep: 5, routes: [bar] }), member(2)] };
    const sig = signGroup(signer, routed);
    expect(checkGroup(signer, routed, sig, NOW)).toBe('ok');
    const [a, b] = routed.members as [GroupMember, GroupMember];
    const changed: GroupMember[][] = [
      [{ ...a, keep: 6 }, b],
      [{ ...a, keep: 0 }, b],
      [{ ...a, routes: [] }, b],
      [{ ...a, routes: [bar, { ...bar, type: 'other' }] }, b],
      ...(['type', 'template', 'mode', 'target', 'keep'] as const).map((field) => [
        {
          ...a,
          routes: [
            {
              ...bar,
              [field]: field === 'keep' ? 1 : field === 'mode' ? 'append' : `${bar[field]}x`,
            },
          ],
        },
        b,
      ]),
      [a, { ...b, routes: [bar] }],
    ];
    for (const members of changed)
      expect(checkGroup(signer, { ...routed, members }, sig, NOW)).toBe('bad-signature');
    // An unrouted group's signature does not check for the same group routed.
    const plain = { ...grant, members: [member(1), member(2)] };
    expect(checkGroup(signer, routed, signGroup(signer, plain), NOW)).toBe('bad-signature');
  });

  it('cannot be confused with a single-queue grant of the same parts', () => {
    const single = signer.sign({
      queue: a().queue,
      template: a().template,
      mode: a().mode,
      format: 'html',
      expires: grant.expires,
    });
    const one = { ...grant, members: [a()] };
    expect(checkGroup(signer, one, single, NOW)).toBe('bad-signature');
    function a(): GroupMember {
      return grant.members[0]!;
    }
  });

  it('reports expiry after the expiry second', () => {
    const sig = signGroup(signer, grant);
    expect(checkGroup(signer, grant, sig, grant.expires * 1000)).toBe('ok');
    expect(checkGroup(signer, grant, sig, grant.expires * 1000 + 1)).toBe('expired');
  });
});
