import { MAX_END_MESSAGE, type RtEnd } from '../queue/end-reason.js';
import {
  active,
  delayed,
  failed,
  oneLine,
  retrying,
  runStart,
  stalled,
  waiting,
  type RtJobProgress,
  type ToldItem,
} from './job-items.js';

/** A BullMQ job as the follower reads it (Queue.getJob). */
export type FollowedJob = RtJobProgress & {
  finishedOn?: number;
  isActive?: () => Promise<boolean>;
  getState?: () => Promise<string>;
  remove?: () => Promise<void>;
};

/** The QueueEvents events the follower listens to, and what each carries that it uses. */
export type JobEvent =
  | { event: 'waiting'; prev?: string }
  | { event: 'delayed'; delay: number | string }
  | { event: 'active' }
  | { event: 'stalled' }
  | { event: 'failed'; failedReason?: string }
  | { event: 'completed' }
  | { event: 'removed' };

/** What the job's page is told of an event: items (each in its place), then maybe an ending. */
export interface Telling {
  items?: ToldItem[];
  end?: RtEnd;
}

/**
 * What a BullMQ event means for the job's page, read with the job as it is now (`job`). A
 * stalled job goes back to waiting with prev `active` and the same attempts made; a failed
 * attempt to be retried goes to delayed (with backoff) or waiting (without) with one more
 * attempt made. An item told late (the job has moved on) lands only if nothing later was
 * told (see job-items); once the job finished, only its ending is told.
 */
export function tellingOf(e: JobEvent, job: FollowedJob | undefined): Telling {
  if (e.event === 'completed') return { end: { reason: 'complete' } };
  if (e.event === 'removed')
    return { end: { reason: 'cancelled', message: 'The job was removed' } };
  if (!job) return {};
  // Read late, once the job finished: its counts have moved on (BullMQ counts a completed
  // attempt too), and its ending tells the rest.
  if (job.finishedOn !== undefined && e.event !== 'failed') return {};
  const made = job.attemptsMade ?? 0;
  switch (e.event) {
    case 'waiting':
      if (e.prev === 'active') return made > 0 ? { items: [retrying(job, Date.now())] } : {};
      return made === 0 ? { items: [waiting()] } : {};
    case 'delayed':
      return { items: [made > 0 ? retrying(job, Number(e.delay)) : delayed(Number(e.delay))] };
    case 'active':
      return { items: startOf(job) };
    case 'stalled':
      return { items: [stalled(job)] };
    case 'failed': {
      const message = short(e.failedReason || job.failedReason || 'The job failed');
      return { items: [failed(job, message)], end: { reason: 'failed', message } };
    }
  }
}

/**
 * A run's start as the follower tells it: the whole of it, as the processor does (the failure
 * and the stall that led to it, then "attempt n of m"), since the event that told what led to
 * it may not have been told yet (a retry at once: the processor and the other processes race
 * to tell it) or ever (an event missed while the reader reconnected). Each lands once.
 */
function startOf(job: FollowedJob): ToldItem[] {
  const start = runStart(job);
  return start.length > 0 ? start : [active(job)];
}

/** A failure's reason as an ending's message: one line, at most MAX_END_MESSAGE characters. */
function short(reason: string): string {
  const line = oneLine(reason);
  return line.length > MAX_END_MESSAGE ? `${line.slice(0, MAX_END_MESSAGE - 1)}…` : line;
}
