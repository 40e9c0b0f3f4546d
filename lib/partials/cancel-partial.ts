import { element } from '../markup/html.js';
import { isValidQueueName } from '../queue/queue-name.js';
import type { RtQueueService } from '../rt-queue.service.js';
import { checkParamNames, PartialParamError, text, type PartialOptions } from './partial-params.js';

/**
 * `{{> pluto_rt/cancel job_queue="exports" job_id=job.id label="Stop"}}`: a button that
 * cancels a followed BullMQ job (see jobs/job-cancels), posting to its signed cancel URL;
 * `{{> pluto_rt/cancel queue=name}}` cancels the work on a queue that no BullMQ job runs
 * (its handle's signal). The same markup for both htmx majors: the answer swaps nothing
 * (the page's stream says what happens), and the button is disabled while the request is out.
 */
export function cancelPartial(options: PartialOptions, rt: RtQueueService): string {
  checkParamNames(options, 'pluto_rt/cancel');
  const queueName = text(options, 'job_queue');
  const id = text(options, 'job_id');
  const queue = text(options, 'queue');
  let cancel: string;
  if (queue !== undefined) {
    if (queueName !== undefined || id !== undefined)
      throw new PartialParamError('queue', queue, 'either queue, or job_queue and job_id');
    if (!isValidQueueName(queue)) throw new PartialParamError('queue', queue, 'a queue name');
    cancel = rt.cancelUrl(queue);
  } else {
    if (!queueName) throw new PartialParamError('job_queue', '', 'the name of the BullMQ queue');
    if (!id) throw new PartialParamError('job_id', '', "the job's id");
    cancel = rt.jobUrls({ queueName, id }).cancel;
  }
  return element(
    'button',
    [
      ['type', 'button'],
      ['class', 'pluto-rt-cancel'],
      ['hx-post', cancel],
      ['hx-swap', 'none'],
      ['hx-disabled-elt', 'this'],
    ],
    text(options, 'label') ?? 'Cancel',
  );
}
