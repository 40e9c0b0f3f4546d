// Baseline B: BullMQ's own progress path, on the same Nest stack.
// - A processor calls `job.updateProgress(item)` (BullMQ writes it to the job and XADDs a
//   `progress` event to the queue's event stream).
// - One `QueueEvents` listener per process (a blocking XREAD on that stream) emits
//   `progress:<jobId>`.
// - `GET /b/sse/:jobId` forwards the progress events of one job id as SSE, with one shared
//   keepalive timer like the module's.
// The jobs run in a Worker in the same process, each one a long-lived job whose processor
// holds its `job` handle until the bench releases it.
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { fromEvent, map, merge } from 'rxjs';
import { bootNest, sharedKeepalive, sseController } from '../lib/nest-app.mjs';

export async function start({ redisUrl, prefix, clientName, keepaliveMs, maxProducers = 1000 }) {
  const { hostname, port: redisPort } = new URL(redisUrl);
  const connection = {
    host: hostname,
    port: Number(redisPort) || 6379,
    connectionName: clientName,
  };
  // BullMQ names its connections "<prefix>:<base64 queue name>…"; the prefix is ours alone.
  const bullPrefix = prefix.replace(/:$/, '');
  const queueName = 'progress';
  const events = new QueueEvents(queueName, { connection, prefix: bullPrefix });
  events.setMaxListeners(0);
  events.on('error', (err) => console.error('bench B QueueEvents:', err.message));
  await events.waitUntilReady();
  const keepalive = sharedKeepalive(keepaliveMs);

  const stream = (jobId) =>
    merge(
      fromEvent(events, `progress:${jobId}`).pipe(
        map(([args, id]) => ({ id, data: JSON.stringify(args.data) })),
      ),
      keepalive,
    );
  const { app, port } = await bootNest(
    { controllers: [sseController('b', 'sse/:jobId', 'jobId', stream)] },
    'BullmqProgressModule',
  );

  let queue;
  let worker;
  /** jobId -> { job, release } of the running processors. */
  const running = new Map();
  let waitingFor;
  let jobs = [];

  async function startWorker() {
    queue = new Queue(queueName, { connection, prefix: bullPrefix });
    worker = new Worker(
      queueName,
      (job) =>
        new Promise((release) => {
          running.set(job.id, { job, release });
          if (waitingFor && running.size >= waitingFor.count) waitingFor.resolve();
        }),
      { connection, prefix: bullPrefix, concurrency: maxProducers },
    );
    worker.on('error', (err) => console.error('bench B Worker:', err.message));
    await worker.waitUntilReady();
  }

  function release() {
    for (const { release: done } of running.values()) done();
    running.clear();
    jobs = [];
  }

  return {
    port,
    ownsConnection: (name) => name === clientName || name.startsWith(`${bullPrefix}:`),

    /** With `producers`, starts one job per stream and waits until all are running. */
    async createStreams(count, { producers = true } = {}) {
      release();
      const ids = Array.from({ length: count }, () => `job-${randomUUID()}`);
      if (producers) {
        if (count > maxProducers) throw new Error(`B runs at most ${maxProducers} jobs at once`);
        if (!worker) await startWorker();
        const ready = new Promise((resolve) => (waitingFor = { count, resolve }));
        await queue.addBulk(ids.map((jobId) => ({ name: 'task', data: {}, opts: { jobId } })));
        await ready;
        waitingFor = undefined;
        jobs = ids.map((id) => running.get(id).job);
      }
      return { paths: ids.map((id) => `/b/sse/${id}`), expectFirst: 0 };
    },

    push(index, item) {
      return jobs[index].updateProgress(item);
    },

    release,

    async close() {
      release();
      await worker?.close();
      await queue?.close();
      await events.close();
      await app.close();
    },
  };
}
