import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<INestApplication<Server>>(AppModule);
  await app.init();
  // After a deploy every page reconnects at once: let 4096 connections wait to be accepted
  // (Node's default is 511; the kernel caps it at net.core.somaxconn).
  await new Promise<void>((resolve) => app.getHttpServer().listen(3000, '0.0.0.0', 4096, resolve));
}

void bootstrap();
