import { PlutoRtModule } from 'nestjs-pluto-rt';
import { cluster } from './redis-connections.js';

// Each push and complete() waits until 1 replica has it, 50 ms at most (Redis WAIT).
export const DurablePlutoRtModule = PlutoRtModule.forRoot({
  secret: process.env.PLUTO_RT_SECRET,
  redis: cluster,
  waitForReplicas: { replicas: 1, timeoutMs: 50 },
});
