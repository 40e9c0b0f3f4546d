import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PlutoRtModule, RtOptionsError } from '../../lib/index.js';
import { RawSseClient } from '../helpers/sse-client.js';
import { startTestApp, TEST_SECRET } from '../helpers/test-app.js';

// Variable specifiers: this suite runs only where these packages are not installed.
const TERMINUS = '@nestjs/terminus';
const PROM_CLIENT = 'prom-client';

/**
 * Only with PLUTO_RT_NO_OPTIONAL_PEERS=1 (scripts/test-without-optional-peers.sh, which
 * removes @nestjs/terminus and prom-client): the module works without them, and asking for
 * metrics says what is missing.
 */
describe('without the optional peers', () => {
  it('has neither installed (else this run proves nothing)', async () => {
    for (const peer of [TERMINUS, PROM_CLIENT])
      await expect(import(peer)).rejects.toThrow(/Cannot find|not find/i);
  });

  it('pushes and streams as usual', async () => {
    const t = await startTestApp();
    try {
      const name = t.rt.createQueueName();
      const sse = await RawSseClient.open(t.url + t.rt.rtUrls(name).sse);
      await t.rt.get(name).push({ n: 1 });
      await t.rt.get(name).complete();
      await sse.untilEnd();
      expect(sse.items).toHaveLength(1);
    } finally {
      await t.close();
    }
  });

  it('refuses metrics: true at boot, saying to install prom-client', async () => {
    @Module({ imports: [PlutoRtModule.forRoot({ secret: TEST_SECRET, metrics: true })] })
    class MetricsModule {}
    const boot = NestFactory.create(MetricsModule, { logger: false, abortOnError: false });
    await expect(boot).rejects.toThrow(RtOptionsError);
    await expect(
      NestFactory.create(MetricsModule, { logger: false, abortOnError: false }),
    ).rejects.toThrow(
      /"metrics" needs the optional peer dependency prom-client.*npm install prom-client/,
    );
  });
});
