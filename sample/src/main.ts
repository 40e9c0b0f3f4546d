import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { fileURLToPath } from 'node:url';
import { AppModule, VIEWS_DIR } from './app.module.js';
import { readSampleConfig } from './sample-config.js';
import { loadOps } from './ops/load-ops.js';

const PUBLIC_DIR = fileURLToPath(new URL('../public', import.meta.url));
// On SIGINT/SIGTERM: run every shutdown hook (workers drain, Redis connections close), exit 0.
const SIGNALS = ['SIGINT', 'SIGTERM'];

async function main(): Promise<void> {
  const config = readSampleConfig();
  const logger = new Logger('Sample');
  // A worker serves no HTTP: its pushes are counted, but nothing scrapes them.
  const module = AppModule.forRole(
    config,
    config.role === 'worker' ? undefined : await loadOps(logger),
  );

  if (config.role === 'worker') {
    const worker = await NestFactory.createApplicationContext(module);
    worker.enableShutdownHooks(SIGNALS, { useProcessExit: true });
    logger.log('Worker running (jobs only); stop it with Ctrl+C');
    return;
  }

  const app = await NestFactory.create<NestExpressApplication>(module);
  app.setBaseViewsDir(VIEWS_DIR);
  app.setViewEngine('hbs');
  app.useStaticAssets(PUBLIC_DIR, { prefix: '/static/' });
  app.enableShutdownHooks(SIGNALS, { useProcessExit: true });
  await app.listen(config.port);
  const what =
    config.role === 'web'
      ? 'web app only: run `npm run sample:worker` for the jobs'
      : 'web app and worker';
  logger.log(`Open http://localhost:${config.port} (${what}); stop it with Ctrl+C`);
}

main().catch((err: unknown) => {
  console.error(`sample: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
