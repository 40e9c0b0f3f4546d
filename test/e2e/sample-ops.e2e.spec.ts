import { parsePromText, sampleValue } from '../helpers/prom-text.js';
import { EventSourceClient } from '../helpers/sse-client.js';
import { waitFor } from '../helpers/wait-for.js';
import { startSample, type SampleProcess } from '../browser/support/sample-process.js';

/** An attribute of the page, unescaped as Handlebars escapes it. */
function attribute(html: string, name: string): string {
  const value = new RegExp(`${name}="([^"]*)"`).exec(html)?.[1];
  if (value === undefined) throw new Error(`No ${name} in the page:\n${html}`);
  return value.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
}

/**
 * The sample's /health and /metrics (built: `npm run build && npm run sample:build`), scraped
 * while a demo runs: what the job pushed and what its one client received match the counters.
 */
describe('the sample: /health and /metrics', () => {
  let sample: SampleProcess;
  beforeAll(async () => {
    sample = await startSample({ stepMs: 40 });
  });
  afterAll(async () => {
    await sample?.stop();
    await sample?.deleteKeys();
  });

  const scrape = async () => {
    const res = await fetch(`${sample.url}/metrics`);
    expect(res.status).toBe(200);
    // (Express 4, under Nest 11, writes the same parameters in another order.)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain;.*\bversion=0\.0\.4\b/);
    const samples = parsePromText(await res.text());
    return {
      pushed: sampleValue(samples, 'pluto_rt_pushes_total', { outcome: 'ok' })!,
      delivered: sampleValue(samples, 'pluto_rt_delivered_events_total', { transport: 'sse' })!,
      sseConnections: sampleValue(samples, 'pluto_rt_sse_connections')!,
    };
  };

  it('links both from its index page, and is healthy', async () => {
    const index = await (await fetch(`${sample.url}/`)).text();
    expect(index).toContain('<a href="/health">');
    expect(index).toContain('<a href="/metrics">');
    const health = await fetch(`${sample.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      details: { 'pluto-rt': { status: 'up' } },
    });
  });

  it('counts exactly what a running demo pushed and what its client received', async () => {
    expect(await scrape()).toEqual({ pushed: 0, delivered: 0, sseConnections: 0 });
    const launch = await fetch(`${sample.url}/demos/json/sse`, {
      method: 'POST',
      redirect: 'manual',
    });
    expect(launch.status).toBe(303);
    const page = await (await fetch(sample.url + launch.headers.get('location')!)).text();
    const source = new EventSourceClient(sample.url + attribute(page, 'data-sse-url'));
    try {
      // While it runs: the one open stream, and no more delivered than pushed.
      await source.until(() => source.messages.length >= 3, 'three items');
      const midway = await scrape();
      expect(midway.sseConnections).toBe(1);
      expect(midway.pushed).toBeGreaterThanOrEqual(3);
      expect(midway.delivered).toBeGreaterThanOrEqual(3);
      expect(midway.delivered).toBeLessThanOrEqual(midway.pushed);

      await source.until(() => source.closeEvents.length === 1, 'event: close', 20_000);
    } finally {
      source.close();
    }
    const received = source.messages.length;
    expect(received).toBeGreaterThan(3);
    const after = await waitFor(async () => {
      const m = await scrape();
      return m.sseConnections === 0 ? m : undefined;
    }, 'the stream to close');
    expect(after).toEqual({ pushed: received, delivered: received, sseConnections: 0 });
  });
});
