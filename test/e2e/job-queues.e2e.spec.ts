import { BullModule, InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { PlutoRtTestingModule, RecordingRtQueueService } from '../../lib/testing/index.js';
import { RtQueueNameError, RtQueueService } from '../../lib/index.js';
import { REDIS_URL } from '../helpers/redis.js';
import { RawSseClient } from '../helpers/sse-client.js';
import { startTestApp, TEST_SECRET, type TestApp } from '../helpers/test-app.js';

/** A processor as an app writes it: the job's queue from the job, no name in its data. */
@Processor('reports')
class ReportProcessor extends WorkerHost {
  constructor(private readonly rt: RtQueueService) {
    super();
  }

  async process(job: Job<{ lines: number; failAt?: number }>): Promise<void> {
    const queue = this.rt.forJob(job);
    for (let n = 1; n <= job.data.lines; n++) {
      if (n === job.data.failAt) {
        await queue.fail(`Line ${n} is unreadable`);
        return;
      }
      await queue.push({ n, text: `line ${n}` });
    }
    await queue.complete();
  }
}

/** The controller's side: add the job, hand out its page's URLs. */
@Injectable()
class ReportStarter {
  constructor(
    private readonly rt: RtQueueService,
    @InjectQueue('reports') private readonly reports: Queue,
  ) {}

  async start(data: { lines: number; failAt?: number }) {
    const job = await this.reports.add('report', data);
    return { job, urls: this.rt.jobUrls(job, { itemTemplate: 'pluto_rt/list_item' }) };
  }
}

describe('queues bound to jobs (e2e, BullMQ)', () => {
  let t: TestApp;
  const clients: RawSseClient[] = [];
  beforeAll(async () => {
    const bullPrefix = `prt-bull-${process.pid}-${Date.now()}`;
    t = await startTestApp({
      imports: [
        BullModule.forRoot({ connection: { url: REDIS_URL }, prefix: bullPrefix }),
        BullModule.registerQueue({ name: 'reports' }),
      ],
      providers: [ReportProcessor, ReportStarter],
    });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.destroy();
  });
  afterAll(async () => {
    const reports = t?.app.get<Queue>('BullQueue_reports');
    await reports?.obliterate({ force: true });
    await t?.close();
  });

  it("the controller's URLs show what the processor pushes to rt.forJob(job)", async () => {
    const { job, urls } = await t.app.get(ReportStarter).start({ lines: 5 });
    const name = t.rt.jobQueueName(job);
    expect(name).toMatch(/^job_[A-Za-z0-9_-]{22}$/);
    expect(JSON.stringify(job.data)).not.toContain(name);
    const sse = await RawSseClient.open(`${t.url}${urls.sse}`);
    clients.push(sse);
    await sse.untilEnd();
    expect(sse.listItems.map((item) => item.n)).toEqual([1, 2, 3, 4, 5]);
  });

  it("a job that fails ends its page's stream as failed", async () => {
    const { urls } = await t.app.get(ReportStarter).start({ lines: 5, failAt: 3 });
    const sse = await RawSseClient.open(`${t.url}${urls.sse}`);
    clients.push(sse);
    await sse.untilEnd();
    expect(sse.listItems.map((item) => item.n)).toEqual([1, 2]);
    expect(sse.events.at(-1)).toMatchObject({ event: 'close', data: 'failed' });
  });

  it('one name per job and secret: other jobs, other queues and other secrets differ', () => {
    const other = new RecordingRtQueueService({ secret: `${TEST_SECRET}-other` });
    const same = new RecordingRtQueueService({ secret: TEST_SECRET });
    const job = { queueName: 'reports', id: '7' };
    const names = [
      t.rt.jobQueueName(job),
      t.rt.jobQueueName({ queueName: 'reports', id: '8' }),
      t.rt.jobQueueName({ queueName: 'exports', id: '7' }),
      other.jobQueueName(job),
    ];
    expect(new Set(names).size).toBe(4);
    expect(same.jobQueueName(job)).toBe(names[0]);
  });

  it('a job without an id (not added yet) is an RtQueueNameError that says so', () => {
    expect(() => t.rt.forJob({ queueName: 'reports' })).toThrow(RtQueueNameError);
    expect(() => t.rt.jobUrls({ queueName: 'reports', id: undefined })).toThrow(/job.id/);
    expect(() => t.rt.jobQueueName(null as never)).toThrow(RtQueueNameError);
  });

  it('the testing module binds jobs the same way', async () => {
    const moduleRef = await (
      await import('@nestjs/testing')
    ).Test.createTestingModule({
      imports: [PlutoRtTestingModule.forRoot({ secret: TEST_SECRET })],
    }).compile();
    const rt = moduleRef.get(RecordingRtQueueService);
    const job = { queueName: 'reports', id: '42' };
    await rt.forJob(job).push('hello');
    expect(rt.pushed(t.rt.jobQueueName(job))).toEqual(['hello']);
    await moduleRef.close();
  });
});
