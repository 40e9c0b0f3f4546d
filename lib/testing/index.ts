// nestjs-pluto-rt/testing: test the code that uses RtQueueService without Redis.
export { PlutoRtTestingModule } from './pluto-rt-testing.module.js';
export { RecordingRtQueueService, type RtQueueServiceApi } from './recording-rt-queue.service.js';
export type { PlutoRtTestingOptions } from './testing-options.js';
