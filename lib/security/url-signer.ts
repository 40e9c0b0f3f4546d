import { Inject, Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { PLUTO_RT_CONFIG, type RtMode } from '../pluto-rt.constants.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';

/** How a stream URL delivers items: rendered by its template, or as raw JSON. */
export type StreamFormat = 'html' | 'json';

/**
 * What a stream URL grants: one queue, shown with one template in one mode (or as raw JSON
 * when it has no template), until `expires`.
 */
export interface StreamGrant {
  queue: string;
  /** The item template; '' for a JSON grant. */
  template: string;
  mode: RtMode;
  format: StreamFormat;
  /** Unix time, seconds. */
  expires: number;
}

export type GrantCheck = 'ok' | 'bad-signature' | 'expired';

/** HMAC-SHA256 over every part of a grant, so that none can be changed or swapped. */
@Injectable()
export class UrlSigner {
  constructor(@Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig) {}

  sign(grant: StreamGrant): string {
    // NUL cannot occur in any part (each is validated), so the encoding is unambiguous.
    const payload = [
      'v2',
      grant.queue,
      grant.template,
      grant.mode,
      grant.format,
      String(grant.expires),
    ].join('\0');
    return createHmac('sha256', this.config.secret).update(payload).digest('base64url');
  }

  check(grant: StreamGrant, signature: string, now = Date.now()): GrantCheck {
    const expected = Buffer.from(this.sign(grant));
    const given = Buffer.from(signature);
    // timingSafeEqual needs equal lengths; the length of a valid signature is no secret.
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return 'bad-signature';
    return grant.expires * 1000 < now ? 'expired' : 'ok';
  }
}
