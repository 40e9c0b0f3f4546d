// The process under test of bench/follow-cost.mjs. MODE=queue-events: BullMQ's own events
// alone (one QueueEvents reader on the queue, what the issue measures following against);
// MODE=follow: the built package with `followJobs` on that queue. Either way the parent
// adds the jobs (no worker takes them) and opens the pages; this process reports its CPU.
import { BullModule } from '@nestjs/bullmq';
import { QueueEvents } from 'bullmq';
import { fileURLToPath } from 'node:url';
import { PlutoRtModule, RtQueueService } from 'nestjs-pluto-rt';
import { bootNest } from './lib/nest-app.mjs';
import { serveRpc } from './lib/rpc.mjs';

const { MODE, REDIS_URL, KEY_PREFIX, BULL_PREFIX, QUEUE } = process.env;
const connection = { url: REDIS_URL };
let close = async () => {};
let rt;

/** Starts what MODE names; the app's port (0: no app). */
async function boot() {
  if (MODE === 'queue-events') {
    const events = new QueueEvents(QUEUE, { connection, prefix: BULL_PREFIX });
    await events.waitUntilReady();
    close = () => events.close();
    return 0;
  }
  const booted = await bootNest(
    {
      imports: [
        PlutoRtModule.forRoot({
          redis: { url: REDIS_URL },
          secret: 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
          keyPrefix: KEY_PREFIX,
          clientName: 'pluto-rt-bench-follow',
          templatesDir: fileURLToPath(new URL('./views', import.meta.url)),
          maxStreams: 100_000,
          followJobs: [QUEUE],
        }),
        BullModule.forRoot({ connection, prefix: BULL_PREFIX }),
        BullModule.registerQueue({ name: QUEUE }),
      ],
    },
    'FollowCostApp',
  );
  rt = booted.app.get(RtQueueService);
  close = () => booted.app.close();
  return booted.port;
}

serveRpc({
  boot,
  /** The pages of jobs `ids`: their SSE URLs (JSON flavour). */
  pages: ({ ids }) => ids.map((id) => rt.jobUrls({ queueName: QUEUE, id }).sse),
  cpu: () => {
    const { user, system } = process.cpuUsage();
    return { us: user + system, at: performance.now() };
  },
  async exit() {
    await close();
    setImmediate(() => process.exit(0));
  },
});
