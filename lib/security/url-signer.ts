import { Inject, Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { PLUTO_RT_CONFIG } from '../pluto-rt.constants.js';
import { routeParts, type Route } from '../markup/route.js';
import { type RtMode } from '../markup/rt-modes.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';

/** How a stream URL delivers items: rendered by its template, or as raw JSON. */
export type StreamFormat = 'html' | 'json';

/**
 * What a stream URL grants: one queue, shown with one template in one mode (or as raw JSON
 * when it has no template), until `expires`; or, routed, with `routes`: each kind of item
 * its template, mode and target, the default route (routes[0]) the grant's template and
 * mode.
 */
export interface StreamGrant {
  queue: string;
  /** The item template; '' for a JSON grant. */
  template: string;
  mode: RtMode;
  format: StreamFormat;
  /** Unix time, seconds. */
  expires: number;
  /** A routed view (see markup/route.ts); without, the page's element places every item. */
  routes?: Route[];
}

export type GrantCheck = 'ok' | 'bad-signature' | 'expired';

/** HMAC-SHA256 over every part of a grant, so that none can be changed or swapped. */
@Injectable()
export class UrlSigner {
  constructor(@Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig) {}

  sign(grant: StreamGrant): string {
    return this.signParts(streamParts(grant));
  }

  check(grant: StreamGrant, signature: string, now = Date.now()): GrantCheck {
    return this.checkParts(streamParts(grant), grant.expires, signature, now);
  }

  /**
   * The signature of `parts`, which must not hold NUL (each part is validated before), so
   * that joining them with it is unambiguous. The first part names the kind of grant.
   */
  signParts(parts: string[]): string {
    return createHmac('sha256', this.config.secret).update(parts.join('\0')).digest('base64url');
  }

  checkParts(parts: string[], expires: number, signature: string, now = Date.now()): GrantCheck {
    const expected = Buffer.from(this.signParts(parts));
    const given = Buffer.from(signature);
    // timingSafeEqual needs equal lengths; the length of a valid signature is no secret.
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return 'bad-signature';
    return expires * 1000 < now ? 'expired' : 'ok';
  }
}

function streamParts(grant: StreamGrant): string[] {
  const parts = [
    'v2',
    grant.queue,
    grant.template,
    grant.mode,
    grant.format,
    String(grant.expires),
  ];
  return grant.routes ? [...parts, 'routes', ...routeParts(grant.routes)] : parts;
}
