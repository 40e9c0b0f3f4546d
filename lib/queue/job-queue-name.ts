import { createHmac } from 'node:crypto';
import { RtQueueNameError } from '../errors.js';

/**
 * What a queue bound to a job needs of it: a BullMQ `Job` has both (its id once added).
 * Anything else that runs jobs can pass its own pair.
 */
export interface RtJobRef {
  queueName: string;
  id?: string | null;
}

/**
 * The queue of a job: `job_` and 128 bits of HMAC-SHA256 over the job's queue name and id,
 * keyed by the module's secret. The controller that added the job and the processor that
 * runs it find the same queue without passing a name in the job's data, and nobody without
 * the secret can derive it from the job's id. One job id, one queue: an id reused after its
 * queue ended finds the ended queue.
 */
export function jobQueueName(job: RtJobRef, secret: string): string {
  if (typeof job !== 'object' || job === null)
    throw new RtQueueNameError(`A job's queue needs a job ({ queueName, id }), got ${typeof job}`);
  if (typeof job.queueName !== 'string' || job.queueName === '')
    throw new RtQueueNameError("A job's queue needs job.queueName, the name of its BullMQ queue");
  if (typeof job.id !== 'string' || job.id === '')
    throw new RtQueueNameError(
      "A job's queue needs job.id: use the job that queue.add() resolves to, after it is added",
    );
  const mac = createHmac('sha256', secret)
    .update(`pluto-rt job\0${job.queueName}\0${job.id}`)
    .digest('base64url');
  return `job_${mac.slice(0, 22)}`;
}
