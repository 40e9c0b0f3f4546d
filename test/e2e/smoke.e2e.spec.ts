import request from 'supertest';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('pushes, polls and completes', async () => {
    const name = t.rt.createQueueName();
    const q = t.rt.get(name);
    await q.push({ n: 1, text: 'one' });
    await q.push({ n: 2, text: '<b>two</b>' });
    await q.complete();
    const urls = t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' });
    const res = await request(t.url).get(`${urls.poll}&el=p1&target=%23out`);
    expect(res.status).toBe(286);
    expect(res.text).toContain('&lt;b&gt;two&lt;/b&gt;');
  });
});
