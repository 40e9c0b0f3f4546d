import { Injectable } from '@nestjs/common';
import { RtQueueService } from 'nestjs-pluto-rt';

@Injectable()
export class ImportRunner {
  constructor(private readonly rt: RtQueueService) {}

  /** Work that no BullMQ job runs: its page's Cancel aborts the queue's signal. */
  async run(name: string, rows: string[]): Promise<void> {
    const queue = this.rt.get(name);
    const { signal } = queue; // ask for it when the work starts
    for (const row of rows) {
      if (signal.aborted) return queue.end('cancelled', 'Stopped at your request');
      await queue.push({ text: `Imported ${row}` });
    }
    await queue.complete();
  }
}
