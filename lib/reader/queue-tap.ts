import { readEnd } from '../queue/end-reason.js';
import { RtEntry } from '../store/rt-entry.js';
import type { StreamListener } from './stream-listener.js';

/** The listeners of one queue, and its subscription on the shared reader connection. */
export interface QueueTap {
  name: string;
  channel: string;
  listeners: Set<StreamListener>;
  subscribed: Promise<unknown>;
  /** Whether its SUBSCRIBE went out: a tap that goes before then never sends one. */
  subscribeSent: boolean;
  /**
   * When the queue last saw a push, as far as this process knows (ms). Each push renews
   * the idle expiry, so the queue cannot expire before this plus `idleTtlSeconds`.
   */
  lastPushAt: number;
}

/**
 * A push's channel message, `<prevId> <id> d<json>`, or `<prevId> <id> e[<ending>]` for the
 * end marker (see lua-scripts).
 */
export function parsePublished(message: string): { prevId: string; entry: RtEntry } {
  const first = message.indexOf(' ');
  const second = message.indexOf(' ', first + 1);
  const id = message.slice(first + 1, second);
  const isItem = message[second + 1] === 'd';
  const ending = message.slice(second + 2);
  return {
    prevId: message.slice(0, first),
    entry: isItem
      ? new RtEntry(id, ending)
      : new RtEntry(id, undefined, ending === '' ? undefined : readEnd(ending)),
  };
}
