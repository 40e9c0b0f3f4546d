import { TerminusModule } from '@nestjs/terminus';
import request from 'supertest';
import { RtHealthCheck } from '../../lib/index.js';
import { PlutoRtHealthIndicator } from '../../lib/terminus/index.js';
import { HealthController } from '../readme-example/health/health.controller.js';
import { RawSseClient } from '../helpers/sse-client.js';
import { StoppableRedis } from '../helpers/stoppable-redis.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

/** The guide's controller waits 1 s per PING: a hung Redis is reported well within this. */
const BOUND_MS = 3_000;

interface HealthBody {
  status: 'ok' | 'error';
  details: Record<
    string,
    {
      status: 'up' | 'down';
      connections: Array<{ connection: string; node: string; status: string; error?: string }>;
      sseStreams: number;
      streams: number;
      queues: number;
    }
  >;
}

/**
 * The Terminus indicator over HTTP (the documented HealthController, a real HealthCheckService)
 * against a redis-server of the test's own, which it hangs (SIGSTOP), kills and restarts.
 */
describe('PlutoRtHealthIndicator', () => {
  let redis: StoppableRedis;
  let t: TestApp;

  beforeAll(async () => {
    redis = await StoppableRedis.start();
    t = await startTestApp({
      redis: redis.target,
      imports: [TerminusModule],
      controllers: [HealthController],
      providers: [PlutoRtHealthIndicator],
    });
  });
  afterAll(async () => {
    redis.proc.resume();
    await t?.close();
    await redis?.destroy();
  });

  async function health(): Promise<{ status: number; body: HealthBody; ms: number }> {
    const started = Date.now();
    const res = await request(t.url).get('/health');
    return { status: res.status, body: res.body as HealthBody, ms: Date.now() - started };
  }

  const isUp = async () => (await health()).status === 200;

  it('is up with Redis up, per connection, with the open stream count', async () => {
    const name = t.rt.createQueueName();
    await t.rt.get(name).push({ n: 1, text: 'one' });
    const sse = await RawSseClient.open(
      t.url + t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' }).sse,
    );
    try {
      await sse.untilItems(1);
      const { status, body } = await health();
      expect(status).toBe(200);
      expect(body.status).toBe('ok');
      const own = body.details['pluto-rt']!;
      expect(own.status).toBe('up');
      expect(own.connections.map((c) => [c.connection, c.node, c.status])).toEqual([
        ['command', `127.0.0.1:${redis.port}`, 'up'],
        ['reader', `127.0.0.1:${redis.port}`, 'up'],
      ]);
      expect(own).toMatchObject({ sseStreams: 1, streams: 1, queues: 1 });
    } finally {
      sse.destroy();
    }
    await waitFor(() => t.rt.stats().sseStreams === 0, 'the stream to close');
    expect((await health()).body.details['pluto-rt']!.sseStreams).toBe(0);
  });

  it('is down within a bound while Redis hangs (SIGSTOP), and up again when it resumes', async () => {
    redis.proc.pause();
    try {
      const { status, body, ms } = await health();
      expect(status).toBe(503);
      expect(body.status).toBe('error');
      const own = body.details['pluto-rt']!;
      expect(own.status).toBe('down');
      expect(own.connections.every((c) => c.status === 'down')).toBe(true);
      expect(own.connections[0]!.error).toMatch(/within 1000 ms/);
      expect(ms).toBeLessThan(BOUND_MS);
    } finally {
      redis.proc.resume();
    }
    await waitFor(isUp, 'health up after SIGCONT');
  });

  it('is down at once when Redis is killed, and up again once it is back', async () => {
    await redis.proc.kill();
    // Both connections notice the closed socket; until then a PING fails on its own.
    const down = await waitFor(async () => {
      const h = await health();
      return h.status === 503 ? h : undefined;
    }, 'health down after SIGKILL');
    expect(down.ms).toBeLessThan(BOUND_MS);
    expect(down.body.details['pluto-rt']!.connections.map((c) => c.status)).toEqual([
      'down',
      'down',
    ]);
    await redis.restart();
    await waitFor(isUp, 'health up after a restart');
  });

  it('answers RtHealthCheck.check() without Terminus too, and refuses a bad timeout', async () => {
    const check = t.app.get(RtHealthCheck);
    await expect(check.check(250)).resolves.toMatchObject({ healthy: true });
    await expect(check.check(0)).rejects.toThrow(/Invalid health timeoutMs 0/);
  });
});
