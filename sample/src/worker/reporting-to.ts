import { Logger } from '@nestjs/common';
import type { RtQueue } from 'nestjs-pluto-rt';
import { failureMessage } from '../demos/messages.js';

const logger = new Logger('Jobs');

/**
 * Runs a job's work against its pluto-rt queue. If the work throws, the last message says
 * what failed (and the job still fails in BullMQ); either way the queue is completed, so
 * every page watching it stops instead of waiting for messages that never come.
 */
export async function reportingTo(queue: RtQueue, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    await queue.push(failureMessage(err)).catch((pushErr: unknown) => {
      logger.warn(`Could not report the failure on ${queue.name}: ${String(pushErr)}`);
    });
    throw err;
  } finally {
    await queue.complete();
  }
}
