import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { RtQueueService } from 'nestjs-pluto-rt';
import type { Demo } from '../demos/demo-catalog.js';
import {
  PROGRESS_JOBS,
  STATUS_JOBS,
  type BullQueueName,
  type DemoJobData,
} from '../demos/demo-jobs.js';
import { failureMessage, queuedMessage } from '../demos/messages.js';

/** Starts a demo: a fresh pluto-rt queue, and a BullMQ job that reports to it. */
@Injectable()
export class DemoLauncher {
  private readonly bull: Record<BullQueueName, Queue>;

  constructor(
    private readonly rt: RtQueueService,
    @InjectQueue(STATUS_JOBS) statusJobs: Queue,
    @InjectQueue(PROGRESS_JOBS) progressJobs: Queue,
  ) {
    this.bull = { [STATUS_JOBS]: statusJobs, [PROGRESS_JOBS]: progressJobs };
  }

  /** Resolves to the queue name the results page streams. */
  async launch(demo: Pick<Demo, 'slug' | 'swapMode' | 'bullQueue' | 'job'>): Promise<string> {
    const name = this.rt.createQueueName();
    const queue = this.rt.get(name);
    // Say "queued" at once: the page shows it while the job waits for a free worker.
    if (demo.swapMode === 'replace')
      await queue.progress(0, 100, { label: 'Queued: waiting for a worker' });
    else await queue.push(queuedMessage());
    const data: DemoJobData = { rtQueue: name, ...demo.job };
    try {
      await this.bull[demo.bullQueue].add(demo.slug, data, {
        removeOnComplete: 100,
        removeOnFail: 100,
      });
    } catch (err) {
      // No job will complete this queue: say why and complete it here.
      await queue.push(failureMessage(err));
      await queue.complete();
      throw err;
    }
    return name;
  }
}
