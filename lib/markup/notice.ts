import { element } from './html.js';
import { partialSwap } from './partial-swap.js';

/** Why live results stopped for good, said in the page. */
export type EndReason = 'expired' | 'gone' | 'refused';

const NOTICES: Record<EndReason, string> = {
  expired: 'This live view has expired: reload the page to follow it again.',
  gone: 'These live results are no longer available.',
  refused: 'This live view cannot be shown: reload the page to try again.',
};

/** The short, styled message (see pluto-rt.css) that takes the place of live results. */
export function notice(reason: EndReason): string {
  return element(
    'p',
    [
      ['class', 'pluto-rt-notice'],
      ['role', 'status'],
      ['data-reason', reason],
    ],
    NOTICES[reason],
  );
}

/** The notice, swapped into the element with id `el` (a stream or poller element). */
export function noticeInto(el: string, reason: EndReason): string {
  return partialSwap(`#${el}`, 'innerHTML', notice(reason));
}
