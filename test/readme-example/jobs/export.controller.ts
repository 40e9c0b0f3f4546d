import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Param, Post } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { RtQueueService } from 'nestjs-pluto-rt';

@Controller('exports')
export class ExportController {
  constructor(
    private readonly rt: RtQueueService,
    @InjectQueue('exports') private readonly exports: Queue,
  ) {}

  @Post(':report')
  async start(@Param('report') report: string) {
    const job = await this.exports.add('export', { report });
    // The job's queue: derived from its queue name and id with the module's secret.
    return this.rt.jobUrls(job, { itemTemplate: 'pluto_rt/list_item' });
  }
}
