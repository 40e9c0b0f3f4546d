import { readFileSync } from 'node:fs';
import { TerminusModule } from '@nestjs/terminus';
import { register } from 'prom-client';
import request from 'supertest';
import { PlutoRtHealthIndicator } from '../../lib/terminus/index.js';
import { HealthController } from '../readme-example/health/health.controller.js';
import { MetricsController } from '../readme-example/health/metrics.controller.js';
import { parsePromText, sampleValue } from '../helpers/prom-text.js';
import { EventSourceClient } from '../helpers/sse-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

/** The guide that the README links for health and metrics. */
const GUIDE = readFileSync(new URL('../../docs/health-and-metrics.md', import.meta.url), 'utf8');

/**
 * The guide's "Health and metrics": its controllers are test/readme-example/health (which
 * readme-sync.spec.ts keeps equal to the guide), served here in an app wired as its AppModule is.
 */
describe('docs/health-and-metrics.md', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      imports: [TerminusModule],
      controllers: [HealthController, MetricsController],
      providers: [PlutoRtHealthIndicator],
      options: { metrics: true },
    });
  });
  afterAll(() => t?.close());

  it('lists every metric that /metrics serves, with its type', async () => {
    const res = await request(t.url).get('/metrics');
    const served = [...res.text.matchAll(/^# TYPE (pluto_rt_\w+) (\w+)$/gm)].map(
      ([, name, type]) => `${name} ${type}`,
    );
    const listed = [...GUIDE.matchAll(/^\| `(pluto_rt_\w+)` \| (\w+) \|/gm)].map(
      ([, name, type]) => `${name} ${type}`,
    );
    expect(listed.sort()).toEqual(served.sort());
  });

  it('serves /health and /metrics; the counters match what was pushed and delivered', async () => {
    const health = await request(t.url).get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', info: { 'pluto-rt': { status: 'up' } } });

    const name = t.rt.createQueueName();
    const source = new EventSourceClient(t.url + t.rt.rtUrls(name).sse);
    const queue = t.rt.get(name);
    const N = 7;
    for (let n = 1; n <= N; n++) await queue.push({ n });
    await queue.complete();
    await source.until(() => source.closeEvents.length === 1, 'event: close');
    source.close();
    expect(source.messages).toHaveLength(N);
    await waitFor(() => t.rt.stats().sseStreams === 0, 'the stream to close');

    const res = await request(t.url).get('/metrics');
    expect(res.status).toBe(200);
    // prom-client's own, its parameters in any order (Express 4, under Nest 11, moves them).
    const params = (type: string) => type.split(/;\s*/).sort();
    expect(params(String(res.headers['content-type']))).toEqual(params(register.contentType));
    const samples = parsePromText(res.text);
    expect(sampleValue(samples, 'pluto_rt_pushes_total', { outcome: 'ok' })).toBe(N);
    expect(sampleValue(samples, 'pluto_rt_delivered_events_total', { transport: 'sse' })).toBe(N);
    expect(sampleValue(samples, 'pluto_rt_sse_stream_duration_seconds_count')).toBe(1);
  });
});
