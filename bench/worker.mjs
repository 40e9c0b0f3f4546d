// The worker process: a system's producer (bench/producers/*.mjs), as a BullMQ worker would
// hold it, pushing on command from run.mjs over IPC (lib/producer-rpc.mjs).
import { producerRpc } from './lib/producer-rpc.mjs';
import { serveRpc } from './lib/rpc.mjs';
import { codeOf, importProducer } from './lib/systems.mjs';

let producer;

serveRpc({
  async boot({ name, options }) {
    const { start } = await importProducer(name);
    producer = await start({ ...options, system: codeOf(name) });
    return { booted: name };
  },
  ...producerRpc(() => producer),
  async close() {
    await producer?.close();
    return { closed: true };
  },
});
