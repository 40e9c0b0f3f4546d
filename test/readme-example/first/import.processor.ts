import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { RtQueueService } from 'nestjs-pluto-rt';
import { importRow } from './import-row.js';

@Processor('imports')
export class ImportProcessor extends WorkerHost {
  constructor(private readonly rt: RtQueueService) {
    super();
  }

  async process(job: Job<{ queueName: string }>): Promise<void> {
    const queue = this.rt.get(job.data.queueName);
    try {
      for (let i = 1; i <= 100; i++) {
        await importRow(i);
        await queue.push({ level: 'info', text: `Row ${i} imported` });
        await queue.progress(i, 100); // { type: 'progress', value, max, percent }
      }
    } catch (err) {
      await queue.push({ level: 'danger', text: `Import failed: ${String(err)}` });
      throw err;
    } finally {
      await queue.complete(); // returns at once; open pages close their stream
    }
  }
}
