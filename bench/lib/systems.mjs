// Which code runs each system: its web server (server.mjs) and its producer (worker.mjs).
// The candidate build and the in-process row run the module's code.

const SERVERS = {
  module: '../systems/module-app.mjs',
  A: '../baselines/a-pluto-rt-design.mjs',
  N: '../baselines/n-nest-queue-events.mjs',
  C: '../baselines/c-raw-sse.mjs',
  D: '../baselines/d-nest-sse-floor.mjs',
};

const PRODUCERS = {
  module: '../producers/module-producer.mjs',
  A: '../producers/a-rpush.mjs',
  N: '../producers/n-bullmq-worker.mjs',
  C: '../producers/feed-producer.mjs',
  D: '../producers/feed-producer.mjs',
};

/** The system whose code `name` runs: `candidate` and `inproc` are the module's. */
export const codeOf = (name) => (name === 'candidate' || name === 'inproc' ? 'module' : name);

export const importServer = (name) => import(SERVERS[codeOf(name)]);
export const importProducer = (name) => import(PRODUCERS[codeOf(name)]);
