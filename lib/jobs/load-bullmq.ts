import { RtOptionsError } from '../errors.js';

// A variable specifier: the build must not need the optional peer, only this file does.
const BULLMQ = 'bullmq';

/** The part of BullMQ's QueueEvents the follower uses. */
export interface QueueEventsLike {
  on(event: string, listener: (args: Record<string, unknown>) => void): unknown;
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}

export type QueueEventsClass = new (
  name: string,
  opts: { connection: unknown; prefix?: string },
) => QueueEventsLike;

/** Loads bullmq (an optional peer): only an app that follows jobs needs it. */
export async function loadQueueEvents(): Promise<QueueEventsClass> {
  try {
    const loaded = (await import(BULLMQ)) as { QueueEvents: QueueEventsClass };
    return loaded.QueueEvents;
  } catch (err) {
    throw new RtOptionsError(
      'followJobs',
      `needs the optional peer dependency bullmq, which could not be loaded (npm install bullmq): ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
