import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { RtQueueService, type RtProgressItem } from 'nestjs-pluto-rt';

export interface ReportJob {
  /** The pluto-rt queue the results page streams, from rt.createQueueName(). */
  rtQueue: string;
  rows: string[];
}

export type ReportItem = { row: string } | RtProgressItem;

@Processor('reports')
export class ReportProcessor extends WorkerHost {
  constructor(private readonly rt: RtQueueService) {
    super();
  }

  async process(job: Job<ReportJob>): Promise<void> {
    const queue = this.rt.get<ReportItem>(job.data.rtQueue);
    const { rows } = job.data;
    for (const [i, row] of rows.entries()) {
      await queue.push({ row: row.toUpperCase() });
      await queue.progress(i + 1, rows.length);
    }
    await queue.complete();
  }
}
