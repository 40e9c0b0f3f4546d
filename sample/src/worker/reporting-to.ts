import { Logger } from '@nestjs/common';
import { RtCancelledError, type RtQueue } from 'nestjs-pluto-rt';
import { failureMessage } from '../demos/messages.js';

const logger = new Logger('Jobs');

/**
 * Runs a job's work against its pluto-rt queue. If the work throws, the last message says
 * what failed (and the job still fails in BullMQ); if its page cancelled it, the queue ends
 * as cancelled (and the job is done). Either way the queue ends, so every page watching it
 * stops instead of waiting for messages that never come.
 */
export async function reportingTo(queue: RtQueue, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (err instanceof RtCancelledError) {
      await queue.end('cancelled', 'Cancelled from the page');
      return;
    }
    await queue.push(failureMessage(err)).catch((pushErr: unknown) => {
      logger.warn(`Could not report the failure on ${queue.name}: ${String(pushErr)}`);
    });
    throw err;
  } finally {
    await queue.complete();
  }
}
