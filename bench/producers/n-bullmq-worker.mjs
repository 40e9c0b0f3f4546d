// Baseline N's producer: a BullMQ Worker in the worker process runs one long-lived job per
// stream, whose processor holds its `job` until the bench releases it; a push is
// `job.updateProgress(item)`.
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { bullOptions, QUEUE_NAME } from '../baselines/n-nest-queue-events.mjs';

export async function start(options, _app, { maxProducers = 1000 } = {}) {
  const bull = bullOptions(options);
  let queue;
  let worker;
  /** jobId -> { job, release } of the running processors. */
  const running = new Map();
  let waitingFor;
  let jobs = [];

  async function startWorker() {
    queue = new Queue(QUEUE_NAME, bull);
    worker = new Worker(
      QUEUE_NAME,
      (job) =>
        new Promise((release) => {
          running.set(job.id, { job, release });
          if (waitingFor && running.size >= waitingFor.count) waitingFor.resolve();
        }),
      { ...bull, concurrency: maxProducers },
    );
    worker.on('error', (err) => console.error('bench N Worker:', err.message));
    await worker.waitUntilReady();
  }

  function release() {
    for (const { release: done } of running.values()) done();
    running.clear();
    jobs = [];
  }

  return {
    /** With `producers`, starts one job per stream and waits until all are running. */
    async createStreams(count, { producers = true } = {}) {
      release();
      const ids = Array.from({ length: count }, () => `job-${randomUUID()}`);
      if (producers) {
        if (count > maxProducers) throw new Error(`N runs at most ${maxProducers} jobs at once`);
        if (!worker) await startWorker();
        const ready = new Promise((resolve) => (waitingFor = { count, resolve }));
        await queue.addBulk(ids.map((jobId) => ({ name: 'task', data: {}, opts: { jobId } })));
        await ready;
        waitingFor = undefined;
        jobs = ids.map((id) => running.get(id).job);
      }
      return { paths: ids.map((id) => `/n/sse/${id}`), expectFirst: 0 };
    },

    push(index, item) {
      return jobs[index].updateProgress(item);
    },

    release,

    async close() {
      release();
      await worker?.close();
      await queue?.close();
    },
  };
}
