// Compiled, never run: the recorder of nestjs-pluto-rt/testing has the public surface of
// RtQueueService, member for member with the same types, and its helpers are typed.
import type { RtMessage, RtQueue, RtQueueService } from '../../lib/index.js';
import { RecordingRtQueueService, type RtQueueServiceApi } from '../../lib/testing/index.js';
import { expectType, type Equal } from './type-assert.js';

type Api = keyof RtQueueService;
type SameTypes = { [K in Api]: Equal<RecordingRtQueueService[K], RtQueueService[K]> };
expectType<Equal<SameTypes[Api], true>>(true);
expectType<Equal<keyof RtQueueServiceApi, Api>>(true);
// The public members are these; a new one must be added to the recorder too.
expectType<
  Equal<
    Api,
    | 'createQueueName'
    | 'jobQueueName'
    | 'forJob'
    | 'jobUrls'
    | 'get'
    | 'cancelUrl'
    | 'stream'
    | 'rtUrls'
    | 'rtGroupUrls'
    | 'stats'
  >
>(true);

declare const real: RtQueueService;
const fake = new RecordingRtQueueService({ secret: 'x'.repeat(32) });
export const both: RtQueueServiceApi[] = [real, fake];

interface Row {
  line: number;
}
expectType<Equal<ReturnType<typeof fake.get<Row>>, RtQueue<Row>>>(true);
expectType<Equal<ReturnType<typeof fake.pushed<Row>>, Row[]>>(true);
expectType<Equal<ReturnType<typeof fake.messages<Row>>, RtMessage<Row>[]>>(true);
expectType<Equal<ReturnType<typeof fake.pushed>, unknown[]>>(true);

export async function typedPushOnTheFake(): Promise<void> {
  // @ts-expect-error the recorder's typed queues refuse what the real ones refuse
  await fake.get<Row>('q').push({ line: 'one' });
  // @ts-expect-error recorder helpers are not on the real service
  real.pushed('q');
  // @ts-expect-error options are checked: no Redis to configure in a test
  new RecordingRtQueueService({ redis: { url: 'redis://x' } });
}
