import type { RtEnd } from '../queue/end-reason.js';
import { element, escapeAttr, type Attrs } from './html.js';

const LABELS: Record<RtEnd['reason'], string> = {
  complete: 'Finished',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** Whether an ending says more than today's plain `complete()` (which shows nothing). */
export function isTold(end: RtEnd): boolean {
  return end.reason !== 'complete' || end.message !== undefined;
}

/**
 * What the page shows of an ending that says something: a styled line (pluto-rt.css:
 * `.pluto-rt-ended[data-reason=failed]`), its message as text. A plain completion shows
 * nothing, as before endings had reasons.
 */
export function endedLine(end: RtEnd): string {
  if (!isTold(end)) return '';
  const text =
    end.message === undefined ? LABELS[end.reason] : `${LABELS[end.reason]}: ${end.message}`;
  return element(
    'p',
    [
      ['class', 'pluto-rt-ended'],
      ['role', 'status'],
      ['data-reason', end.reason],
    ],
    escapeAttr(text),
  );
}

/** The state attributes of an element whose queue ended: styled by `[data-pluto-rt-state]`. */
export function endedAttributes(end: RtEnd): Attrs {
  return [['data-pluto-rt-state', end.reason]];
}

/** The data of the `end` event told before `close` (both flavours): `{ reason, message? }`. */
export function endEventData(end: RtEnd): string {
  return JSON.stringify(end.message === undefined ? { reason: end.reason } : end);
}
