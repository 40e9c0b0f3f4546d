/** The BullMQ queues of the sample: one per processor. */
export const STATUS_JOBS = 'status';
export const PROGRESS_JOBS = 'progress';
export type BullQueueName = typeof STATUS_JOBS | typeof PROGRESS_JOBS;

/** What a job carries: the name of the pluto-rt queue it reports to, and its script. */
export interface DemoJobData {
  /** From RtQueueService.createQueueName(); the results page streams this queue. */
  rtQueue: string;
  /** Messages to send. */
  steps: number;
  /** The job throws at this step (the failure demo). */
  failAt?: number;
  /** Which wording the messages use. */
  flavour: 'status' | 'toast';
}
