// The system under test: a Nest web app with PlutoRtModule (the built package), serving the
// module's own SSE and poll routes. Pushes come from a worker (producers/module-producer.mjs).
import { bootNest } from '../lib/nest-app.mjs';
import { loadModule, moduleOptions } from './module-options.mjs';

export async function start(options) {
  const { PlutoRtModule, RtQueueService } = await loadModule();
  const { app, port } = await bootNest(
    { imports: [PlutoRtModule.forRoot(moduleOptions(options))] },
    'PlutoRtBenchModule',
  );
  const rt = app.get(RtQueueService);
  return {
    app,
    port,
    ownsConnection: (name) => name === options.clientName,
    stats: () => rt.stats(),
    close: () => app.close(),
  };
}
