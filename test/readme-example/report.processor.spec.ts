import { Test } from '@nestjs/testing';
import type { Job } from 'bullmq';
import { RtQueueCompleteError } from 'nestjs-pluto-rt';
import { PlutoRtTestingModule, RecordingRtQueueService } from 'nestjs-pluto-rt/testing';
import { ReportProcessor, type ReportItem, type ReportJob } from './report.processor.js';

/** What the processor reads of a BullMQ job: its data. */
const jobOf = (data: ReportJob) => ({ data }) as Job<ReportJob>;

describe('ReportProcessor', () => {
  let processor: ReportProcessor;
  let rt: RecordingRtQueueService;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({
      // Instead of PlutoRtModule: RtQueueService without Redis, recording what is pushed.
      imports: [PlutoRtTestingModule.forRoot()],
      providers: [ReportProcessor],
    }).compile();
    processor = moduleRef.get(ReportProcessor);
    rt = moduleRef.get(RecordingRtQueueService);
  });

  it('pushes each row and its progress, then completes the queue', async () => {
    const rtQueue = rt.createQueueName();
    await processor.process(jobOf({ rtQueue, rows: ['north', 'south'] }));

    expect(rt.pushed<ReportItem>(rtQueue)).toEqual([
      { row: 'NORTH' },
      { type: 'progress', value: 1, max: 2, percent: 50 },
      { row: 'SOUTH' },
      { type: 'progress', value: 2, max: 2, percent: 100 },
    ]);
    expect(rt.isCompleted(rtQueue)).toBe(true);
    // As with Redis, a completed queue takes no more items.
    await expect(rt.get(rtQueue).push({ row: 'late' })).rejects.toThrow(RtQueueCompleteError);
  });

  it('completes an empty report too', async () => {
    const rtQueue = rt.createQueueName();
    await processor.process(jobOf({ rtQueue, rows: [] }));
    expect(rt.pushed(rtQueue)).toEqual([]);
    expect(rt.isCompleted(rtQueue)).toBe(true);
  });
});
