import type { StreamableFile } from '@nestjs/common';
import { uncachedBody } from './uncached-body.js';

/** The response header that carries a poll answer's next cursor (its `after`). */
export const CURSOR_HEADER = 'Pluto-RT-Cursor';

const TYPES = { html: 'text/html; charset=utf-8', json: 'application/json; charset=utf-8' };

/** A poll answer's body: job output, which no browser or proxy may keep. */
export function pollAnswer(format: keyof typeof TYPES, body: string): StreamableFile {
  return uncachedBody(TYPES[format], body);
}
