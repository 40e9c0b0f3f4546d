import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { RtEndError, RtOptionsError, RtQueueService } from '../../lib/index.js';
import { PlutoRtTestingModule, RecordingRtQueueService } from '../../lib/testing/index.js';

/** Code under test, as an app writes it: constructor injection of RtQueueService. */
@Injectable()
class Reporter {
  constructor(private readonly rt: RtQueueService) {}

  async report(name: string, lines: string[]): Promise<string> {
    const queue = this.rt.get<string>(name);
    for (const line of lines) await queue.push(line);
    await queue.complete();
    return this.rt.rtUrls(name).poll;
  }
}

describe('PlutoRtTestingModule', () => {
  it('provides the recorder under the RtQueueService token and under its own class', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [PlutoRtTestingModule.forRoot()],
      providers: [Reporter],
    }).compile();
    const rt = moduleRef.get(RecordingRtQueueService);
    expect(moduleRef.get(RtQueueService)).toBe(rt);

    const url = await moduleRef.get(Reporter).report('job-1', ['a', 'b']);
    expect(rt.pushed('job-1')).toEqual(['a', 'b']);
    expect(rt.isCompleted('job-1')).toBe(true);
    expect(url.startsWith('/pluto-rt/poll/job-1?')).toBe(true);
    await moduleRef.close();
  });

  it('records how a queue ended: endingOf, the first ending winning, typed errors as the store', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [PlutoRtTestingModule.forRoot()],
    }).compile();
    const rt = moduleRef.get(RecordingRtQueueService);
    await rt.get('ok').complete();
    await rt.get('bad').fail('Disk full');
    await rt.get('bad').end('cancelled');
    expect(rt.endingOf('ok')).toEqual({ reason: 'complete' });
    expect(rt.endingOf('bad')).toEqual({ reason: 'failed', message: 'Disk full' });
    expect(rt.endingOf('never')).toBeUndefined();
    await expect(rt.get('x').end('done' as never)).rejects.toBeInstanceOf(RtEndError);
    expect(rt.isCompleted('x')).toBe(false);
    await moduleRef.close();
  });

  it('gives each module its own recorder, and honours routePrefix', async () => {
    const make = () =>
      Test.createTestingModule({
        imports: [PlutoRtTestingModule.forRoot({ routePrefix: 'live/rt' })],
        providers: [Reporter],
      }).compile();
    const [one, two] = await Promise.all([make(), make()]);
    const url = await one.get(Reporter).report('q', ['x']);
    expect(url.startsWith('/live/rt/poll/q?')).toBe(true);
    expect(two.get(RecordingRtQueueService).queues()).toEqual([]);
    await Promise.all([one.close(), two.close()]);
  });

  it('isGlobal makes RtQueueService injectable in other modules without importing it', async () => {
    @Module({ providers: [Reporter], exports: [Reporter] })
    class FeatureModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [PlutoRtTestingModule.forRoot({ isGlobal: true }), FeatureModule],
    }).compile();
    await moduleRef.get(Reporter).report('g', ['y']);
    expect(moduleRef.get(RecordingRtQueueService).pushed('g')).toEqual(['y']);
    await moduleRef.close();
  });

  it('refuses bad options in forRoot, with the module errors', () => {
    expect(() => PlutoRtTestingModule.forRoot({ secret: 'too short' })).toThrow(RtOptionsError);
    expect(() => PlutoRtTestingModule.forRoot({ urlTtlSeconds: -1 })).toThrow(RtOptionsError);
  });
});
