import { MAX_END_MESSAGE, type RtEnd } from '../queue/end-reason.js';
import {
  active,
  delayed,
  failed,
  oneLine,
  retrying,
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

/** What the job's page is told of an event: an item (in its place), then maybe an ending. */
export interface Telling {
  item?: ToldItem;
  end?: RtEnd;
}

/**
 * What a BullMQ event means for the job's page, read with the job as it is now (`job`). A
 * stalled job goes back to waiting with prev `active` and the same attempts made; a failed
 * attempt to be retried goes to delayed (with backoff) or waiting (without) with one more
 * attempt made. An item told late (the job has moved on) lands only if nothing later was
 * told (see job-items).
 */
export function tellingOf(e: JobEvent, job: FollowedJob | undefined): Telling {
  if (e.event === 'completed') return { end: { reason: 'complete' } };
  if (e.event === 'removed')
    return { end: { reason: 'cancelled', message: 'The job was removed' } };
  if (!job) return {};
  const made = job.attemptsMade ?? 0;
  switch (e.event) {
    case 'waiting':
      if (e.prev === 'active') return made > 0 ? { item: retrying(job, Date.now()) } : {};
      return made === 0 ? { item: waiting() } : {};
    case 'delayed':
      return { item: made > 0 ? retrying(job, Number(e.delay)) : delayed(Number(e.delay)) };
    case 'active':
      return job.finishedOn === undefined ? { item: active(job) } : {};
    case 'stalled':
      return { item: stalled(job) };
    case 'failed': {
      const message = short(e.failedReason || job.failedReason || 'The job failed');
      return { item: failed(job, message), end: { reason: 'failed', message } };
    }
  }
}

/** A failure's reason as an ending's message: one line, at most MAX_END_MESSAGE characters. */
function short(reason: string): string {
  const line = oneLine(reason);
  return line.length > MAX_END_MESSAGE ? `${line.slice(0, MAX_END_MESSAGE - 1)}…` : line;
}
