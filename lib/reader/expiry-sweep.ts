import { RtQueueNotFoundError } from '../errors.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import type { StreamStore } from '../store/stream-store.js';
import type { QueueTap } from './queue-tap.js';

/**
 * Fails the streams of queues that did not start within `startTimeoutSeconds` (a start
 * would have reached them: no Redis command needed), and of queues that may have expired
 * while open (abandoned without complete()): only those idle for `idleTtlSeconds` are
 * asked about, in one command, so idle streams cost Redis nothing.
 */
export async function sweepExpired(
  taps: Iterable<QueueTap>,
  store: StreamStore,
  config: PlutoRtConfig,
  now = Date.now(),
): Promise<void> {
  const startDeadline = now - config.startTimeoutSeconds * 1000;
  const idleDeadline = now - config.idleTtlSeconds * 1000;
  const due = new Map<string, QueueTap>();
  for (const tap of taps) {
    for (const listener of [...tap.listeners]) {
      // A stream that just joined reads the queue itself: only its catch-up may fail it.
      if (listener.catchingUp || !listener.waitingForStart) continue;
      if (listener.waitingSince! <= startDeadline)
        listener.fail(new RtQueueNotFoundError(tap.name));
    }
    if (tap.listeners.size > 0 && tap.lastPushAt <= idleDeadline) due.set(tap.name, tap);
  }
  if (due.size === 0) return;
  let gone: string[];
  try {
    gone = await store.missing([...due.keys()]);
  } catch {
    return; // Redis away: the next sweep will tell.
  }
  for (const name of gone) {
    for (const listener of [...due.get(name)!.listeners]) {
      if (listener.catchingUp || listener.waitingForStart) continue;
      listener.fail(new RtQueueNotFoundError(name));
    }
  }
}
