import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get, Param, Post, Redirect, Render } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { RtQueueService } from 'nestjs-pluto-rt';

@Controller()
export class ImportController {
  constructor(
    private readonly rt: RtQueueService,
    @InjectQueue('imports') private readonly imports: Queue,
  ) {}

  @Post('import')
  @Redirect()
  async start() {
    const queueName = this.rt.createQueueName(); // rtq_<128 random bits>
    await this.imports.add('import', { queueName });
    return { url: `/import/${queueName}` };
  }

  @Get('import/:queue')
  @Render('import')
  show(@Param('queue') queueName: string) {
    // Whoever knows the name can watch: check here that this user started that import.
    return { queueName };
  }
}
