import type { PlutoRtConfig } from '../../lib/options/pluto-rt-config.js';
import { UrlSigner, type StreamGrant } from '../../lib/security/url-signer.js';

const SECRET = 'unit-secret-0123456789-abcdefghijklmnop';

function signer(secret = SECRET): UrlSigner {
  return new UrlSigner({ secret } as PlutoRtConfig);
}

const NOW = Date.UTC(2030, 0, 1);
const grant: StreamGrant = {
  queue: 'rtq_AAAAAAAAAAAAAAAAAAAAAA',
  template: 'pluto_rt/list_item',
  mode: 'append',
  format: 'html',
  expires: NOW / 1000 + 60,
};

describe('UrlSigner', () => {
  it('signs with a URL-safe base64 HMAC-SHA256 (43 characters)', () => {
    expect(signer().sign(grant)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('is deterministic for one secret and differs across secrets', () => {
    expect(signer().sign(grant)).toBe(signer().sign({ ...grant }));
    expect(signer(`${SECRET}x`).sign(grant)).not.toBe(signer().sign(grant));
  });

  it('accepts its own signature before expiry', () => {
    const s = signer();
    expect(s.check(grant, s.sign(grant), NOW)).toBe('ok');
  });

  it('accepts up to the expiry second and reports expired after it', () => {
    const s = signer();
    const sig = s.sign(grant);
    expect(s.check(grant, sig, grant.expires * 1000)).toBe('ok');
    expect(s.check(grant, sig, grant.expires * 1000 + 1)).toBe('expired');
    expect(s.check(grant, sig, NOW + 3_600_000)).toBe('expired');
  });

  it('checks against the current time by default', () => {
    const s = signer();
    const past = { ...grant, expires: Math.floor(Date.now() / 1000) - 1 };
    const future = { ...grant, expires: Math.floor(Date.now() / 1000) + 60 };
    expect(s.check(past, s.sign(past))).toBe('expired');
    expect(s.check(future, s.sign(future))).toBe('ok');
  });

  it.each<[string, Partial<StreamGrant>]>([
    ['queue', { queue: 'rtq_BAAAAAAAAAAAAAAAAAAAAA' }],
    ['template', { template: 'pluto_rt/progress' }],
    ['template (emptied)', { template: '' }],
    ['mode', { mode: 'replace' }],
    ['format', { format: 'json' }],
    ['expiry (extended)', { expires: grant.expires + 3600 }],
  ])('refuses a grant whose %s was changed', (_part, change) => {
    const s = signer();
    expect(s.check({ ...grant, ...change }, s.sign(grant), NOW)).toBe('bad-signature');
  });

  it('refuses parts shifted across the separators', () => {
    const s = signer();
    const a: StreamGrant = { ...grant, queue: 'ab', template: 'pluto_rt_c' };
    const b: StreamGrant = { ...grant, queue: 'abpluto_rt', template: '_c' };
    expect(s.check(b, s.sign(a), NOW)).toBe('bad-signature');
  });

  it('refuses a tampered, truncated, extended, empty or foreign signature', () => {
    const s = signer();
    const sig = s.sign(grant);
    const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    expect(s.check(grant, flipped, NOW)).toBe('bad-signature');
    expect(s.check(grant, sig.slice(0, -1), NOW)).toBe('bad-signature');
    expect(s.check(grant, `${sig}A`, NOW)).toBe('bad-signature');
    expect(s.check(grant, '', NOW)).toBe('bad-signature');
    expect(s.check(grant, signer(`other-${SECRET}`).sign(grant), NOW)).toBe('bad-signature');
  });

  it('reports a bad signature before expiry (an expired forgery is still a forgery)', () => {
    const s = signer();
    expect(s.check(grant, 'x'.repeat(43), grant.expires * 1000 + 10_000)).toBe('bad-signature');
  });
});
