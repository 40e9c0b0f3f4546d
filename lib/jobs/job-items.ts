/** Where a job is in its life, as its page is told (items of type `job`). */
export type RtJobState =
  'waiting' | 'delayed' | 'active' | 'stalled' | 'retrying' | 'failed' | 'cancelling';

/**
 * An item the module pushes onto a job's queue when the job changes state: route it by its
 * type (`job`) to a status template, or let it fall to the list. `attempt` counts from 1;
 * `at` is when a delayed or retrying job runs next (epoch ms); `reason` why an attempt
 * failed.
 */
export interface RtJobItem {
  type: 'job';
  state: RtJobState;
  attempt?: number;
  attempts?: number;
  reason?: string;
  at?: number;
}

/** What the module reads of a BullMQ Job beyond its queue name and id (all optional). */
export interface RtJobProgress {
  attemptsMade?: number;
  processedOn?: number;
  stalledCounter?: number;
  failedReason?: string;
  opts?: { attempts?: number };
}

/**
 * A job item and its place in the job's life. Whoever tells it (the processor's first write,
 * the follower of any process), it lands only past the last place told (StreamStore.pushTold):
 * once, and never after a later one.
 */
export interface ToldItem {
  json: string;
  position: number;
}

/**
 * Places in a job's life: attempts made (BullMQ's attemptsMade) in steps of RUN_STEP, and in
 * an attempt its stalls (2 per stall: the stall, then the run after it). Waiting is 0.
 */
const RUN_STEP = 1000;

/** Attempts as BullMQ counts them (`opts.attempts` 0 or unset: one). */
export function attemptsOf(job: RtJobProgress): number {
  return Math.max(1, job.opts?.attempts ?? 1);
}

export function waiting(): ToldItem {
  return told({ type: 'job', state: 'waiting' }, 0);
}

export function delayed(at: number): ToldItem {
  return told({ type: 'job', state: 'delayed', at }, 0);
}

/** Attempt `made` failed, and the job runs again at `at`. */
export function retrying(job: RtJobProgress, at: number): ToldItem {
  // No reason known: JSON leaves the undefined key out.
  const reason = job.failedReason ? oneLine(job.failedReason) : undefined;
  return afterAttempt(job, { state: 'retrying', at, reason });
}

/** The job's worker was lost during attempt `made + 1` (its stalledCounter-th stall). */
export function stalled(job: RtJobProgress): ToldItem {
  return inRun(job, 'stalled', 0);
}

/** Attempt `made + 1` starts (again, after a stall). */
export function active(job: RtJobProgress): ToldItem {
  return inRun(job, 'active', 1);
}

/** A cancel was asked while attempt `made + 1` runs: the page says so until the job stops. */
export function cancelling(job: RtJobProgress): ToldItem {
  return inRun(job, 'cancelling', 1.5);
}

/**
 * A state of the current run of attempt `made + 1`: its place is the attempt's, plus 2 per
 * stall before this run, plus `offset` (0 the stall, 1 the run's start, 1.5 a cancel in it).
 */
function inRun(job: RtJobProgress, state: RtJobState, offset: number): ToldItem {
  const made = job.attemptsMade ?? 0;
  const item: RtJobItem = { type: 'job', state, attempt: made + 1, attempts: attemptsOf(job) };
  return told(item, made * RUN_STEP + 2 * (job.stalledCounter ?? 0) + offset);
}

/** A cancel was asked for a queue that no job runs (told once: its only place). */
export function queueCancelling(): ToldItem {
  return told({ type: 'job', state: 'cancelling' }, 1);
}

/** The last attempt (`made`) failed: the job failed for good. */
export function failed(job: RtJobProgress, reason: string): ToldItem {
  return afterAttempt(job, { state: 'failed', reason });
}

/** A state told once attempt `made` has failed: its place is the end of that attempt. */
function afterAttempt(
  job: RtJobProgress,
  said: Pick<RtJobItem, 'state' | 'at' | 'reason'>,
): ToldItem {
  const made = job.attemptsMade ?? 0;
  const { state, ...rest } = said;
  const item: RtJobItem = { type: 'job', state, attempt: made, attempts: attemptsOf(job), ...rest };
  return told(item, made * RUN_STEP);
}

/**
 * What a processor's first write is preceded by, for a job being processed (BullMQ gave it
 * `processedOn`): the failure that led to this attempt, the stall that led to this run, and
 * the run's start ("attempt n of m"). Told in the processor's own call order, so that the
 * items of an attempt follow the line that names it; a follower that told them first wins.
 */
export function runStart(job: RtJobProgress): ToldItem[] {
  if (typeof job.processedOn !== 'number' || typeof job.attemptsMade !== 'number') return [];
  const before: ToldItem[] = [];
  if (job.attemptsMade > 0) before.push(retrying(job, job.processedOn));
  if ((job.stalledCounter ?? 0) > 0) before.push(stalled(job));
  return [...before, active(job)];
}

/** A reason as a page shows it: its first line. */
export function oneLine(reason: string): string {
  return reason.split('\n', 1)[0]!;
}

function told(item: RtJobItem, position: number): ToldItem {
  return { json: JSON.stringify(item), position };
}
