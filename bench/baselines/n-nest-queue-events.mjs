// Baseline N: what a NestJS user would write instead, on the same Nest stack: BullMQ's own
// progress path.
// - A processor in a worker process calls `job.updateProgress(item)` (BullMQ writes it to the
//   job and XADDs a `progress` event to the queue's event stream): producers/n-bullmq-worker.mjs.
// - Here, one `QueueEvents` listener per process (a blocking XREAD on that stream) emits
//   `progress:<jobId>`, and `GET /n/sse/:jobId` (Nest `@Sse()`) forwards the progress events
//   of one job id, with one shared keepalive timer like the module's.
import { QueueEvents } from 'bullmq';
import { fromEvent, map, merge } from 'rxjs';
import { bootNest, sharedKeepalive, sseController } from '../lib/nest-app.mjs';

export const QUEUE_NAME = 'progress';

/** BullMQ's connection options and key prefix for a bench run (shared with the worker). */
export function bullOptions({ redisUrl, prefix, clientName }) {
  const { hostname, port } = new URL(redisUrl);
  return {
    connection: { host: hostname, port: Number(port) || 6379, connectionName: clientName },
    // BullMQ names its connections "<prefix>:<base64 queue name>…"; the prefix is ours alone.
    prefix: prefix.replace(/:$/, ''),
  };
}

export async function start(options) {
  const bull = bullOptions(options);
  const events = new QueueEvents(QUEUE_NAME, bull);
  events.setMaxListeners(0);
  events.on('error', (err) => console.error('bench N QueueEvents:', err.message));
  await events.waitUntilReady();
  const keepalive = sharedKeepalive(options.keepaliveMs);

  const stream = (jobId) =>
    merge(
      fromEvent(events, `progress:${jobId}`).pipe(
        map(([args, id]) => ({ id, data: JSON.stringify(args.data) })),
      ),
      keepalive,
    );
  const { app, port } = await bootNest(
    { controllers: [sseController('n', 'sse/:jobId', 'jobId', stream)] },
    'NestQueueEventsModule',
  );
  return {
    port,
    // BullMQ names its connections after the prefix: the idle measurement, which counts
    // them, starts no job, so the worker holds none then.
    ownsConnection: (name) => name === options.clientName || name.startsWith(`${bull.prefix}:`),
    async close() {
      await events.close();
      await app.close();
    },
  };
}
