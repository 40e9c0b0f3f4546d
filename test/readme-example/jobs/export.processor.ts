import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { RtQueueService } from 'nestjs-pluto-rt';

@Processor('exports')
export class ExportProcessor extends WorkerHost {
  constructor(private readonly rt: RtQueueService) {
    super();
  }

  async process(job: Job<{ report: string }>): Promise<void> {
    const queue = this.rt.forJob(job); // the same queue as the controller's URLs
    try {
      await queue.push({ text: `Exporting ${job.data.report}` });
      // ... the work ...
      await queue.complete();
    } catch (err) {
      // The page shows "Failed: ..." and its stream ends; no message is shown for you.
      await queue.fail(err instanceof Error ? err.message : 'Export failed');
      throw err;
    }
  }
}
