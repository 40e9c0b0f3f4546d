import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { PlutoRtModule } from 'nestjs-pluto-rt';
import { ExportController } from './export.controller.js';
import { ExportProcessor } from './export.processor.js';

@Module({
  imports: [
    BullModule.forRoot({ connection: { host: '127.0.0.1', port: 6379 } }),
    BullModule.registerQueue({ name: 'exports' }),
    PlutoRtModule.forRoot({
      secret: process.env.PLUTO_RT_SECRET,
      followJobs: ['exports'], // tell each export's page when it waits, starts, fails...
    }),
  ],
  controllers: [ExportController],
  providers: [ExportProcessor],
})
export class ExportsModule {}
