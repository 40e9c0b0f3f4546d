import { Module, type DynamicModule } from '@nestjs/common';
import { RtQueueService } from '../rt-queue.service.js';
import { RecordingRtQueueService } from './recording-rt-queue.service.js';
import { resolveTestingOptions, type PlutoRtTestingOptions } from './testing-options.js';

/**
 * Stands in for PlutoRtModule in unit tests: provides a RecordingRtQueueService under the
 * RtQueueService token (so code that injects RtQueueService gets it unchanged), and under
 * its own class for the test to assert on. No Redis, no routes.
 */
@Module({})
export class PlutoRtTestingModule {
  static forRoot(options: PlutoRtTestingOptions = {}): DynamicModule {
    // Bad options fail here, as PlutoRtModule's do when the app starts.
    resolveTestingOptions(options);
    return {
      module: PlutoRtTestingModule,
      global: options.isGlobal ?? false,
      providers: [
        {
          provide: RecordingRtQueueService,
          useFactory: () => new RecordingRtQueueService(options),
        },
        { provide: RtQueueService, useExisting: RecordingRtQueueService },
      ],
      exports: [RecordingRtQueueService, RtQueueService],
    };
  }
}
