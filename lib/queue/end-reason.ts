import { RtEndError } from '../errors.js';

/** How a queue can end: its job finished, failed for good, or was cancelled. */
export const RT_END_REASONS = ['complete', 'failed', 'cancelled'] as const;
export type RtEndReason = (typeof RT_END_REASONS)[number];

/** A queue's ending, as readers learn it: the reason, and a short message if the job gave one. */
export interface RtEnd {
  reason: RtEndReason;
  message?: string;
}

/** Characters an ending's message holds at most: a line for a page, not a stack trace. */
export const MAX_END_MESSAGE = 500;

/** The stored value of a plain `complete()` (what every end marker held before reasons). */
const PLAIN_COMPLETE = '1';

/** Checks an ending given through the API; a bad one is an RtEndError, and nothing is stored. */
export function checkEnd(reason: unknown, message: unknown): RtEnd {
  if (!(RT_END_REASONS as readonly unknown[]).includes(reason))
    throw new RtEndError(
      `reason must be one of ${RT_END_REASONS.join(', ')}, got ${String(reason)}`,
    );
  if (message === undefined) return { reason: reason as RtEndReason };
  if (typeof message !== 'string') throw new RtEndError('message must be a string');
  if (message.length > MAX_END_MESSAGE)
    throw new RtEndError(
      `message must be at most ${MAX_END_MESSAGE} characters, got ${message.length}`,
    );
  return { reason: reason as RtEndReason, message };
}

/** The end marker's stored value: '1' for a plain completion, else `<reason>[ <message>]`. */
export function storeEnd({ reason, message }: RtEnd): string {
  if (reason === 'complete' && message === undefined) return PLAIN_COMPLETE;
  return message === undefined ? reason : `${reason} ${message}`;
}

/** The ending a stored end marker value says (anything unknown reads as complete). */
export function readEnd(stored: string): RtEnd {
  const space = stored.indexOf(' ');
  const reason = space < 0 ? stored : stored.slice(0, space);
  if (!(RT_END_REASONS as readonly string[]).includes(reason)) return { reason: 'complete' };
  return space < 0
    ? { reason: reason as RtEndReason }
    : { reason: reason as RtEndReason, message: stored.slice(space + 1) };
}
