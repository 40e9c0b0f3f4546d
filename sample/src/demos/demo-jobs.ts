/** The BullMQ queues of the sample: one per processor. */
export const STATUS_JOBS = 'status';
export const PROGRESS_JOBS = 'progress';
/**
 * Jobs whose life the module follows (`followJobs`): each reports to the queue bound to it
 * (`rt.forJob(job)`), and its page is told when it waits, starts, loses its worker, retries
 * and fails.
 */
export const LIFE_JOBS = 'life';
export type BullQueueName = typeof STATUS_JOBS | typeof PROGRESS_JOBS | typeof LIFE_JOBS;

/** What a job carries: the name of the pluto-rt queue it reports to, and its script. */
export interface DemoJobData {
  /**
   * From RtQueueService.createQueueName(); the results page streams this queue. Unset for
   * LIFE_JOBS: their queue is the job's own (`rt.jobQueueName(job)`).
   */
  rtQueue?: string;
  /** Messages to send. */
  steps: number;
  /** The job throws at this step (the failure demo). */
  failAt?: number;
  /** Its first run kills its own worker process at this step (the lost-worker demo). */
  loseWorkerAt?: number;
  /** Which wording the messages use. */
  flavour: 'status' | 'toast';
}
