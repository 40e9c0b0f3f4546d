// Nest apps in plain ESM: decorators are functions, applied by hand (no build step).
import 'reflect-metadata';
import { Controller, Get, HttpCode, Module, Param, Sse } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { interval, map, share } from 'rxjs';

/**
 * A controller with one `@Sse(route, options)` handler taking `@Param(param)`:
 * `handle(value) => Observable`.
 */
export function sseController(prefix, route, param, handle, options) {
  class BenchSseController {
    stream(value) {
      return handle(value);
    }
  }
  Controller(prefix)(BenchSseController);
  const proto = BenchSseController.prototype;
  Sse(route, options)(proto, 'stream', Object.getOwnPropertyDescriptor(proto, 'stream'));
  Param(param)(proto, 'stream', 0);
  return BenchSseController;
}

/**
 * `GET /{prefix}/empty` answers 204 and does nothing else: the cost of a request through
 * Nest and Express alone, the floor under the module's empty poll.
 */
export function emptyController(prefix) {
  class BenchEmptyController {
    empty() {}
  }
  Controller(prefix)(BenchEmptyController);
  const proto = BenchEmptyController.prototype;
  const descriptor = Object.getOwnPropertyDescriptor(proto, 'empty');
  Get('empty')(proto, 'empty', descriptor);
  HttpCode(204)(proto, 'empty', descriptor);
  return BenchEmptyController;
}

/** Boots an express Nest app on a free loopback port; resolves to `{ app, port }`. */
export async function bootNest(metadata, name) {
  const AppModule = class {};
  Object.defineProperty(AppModule, 'name', { value: name });
  Module(metadata)(AppModule);
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  // --listen-backlog (run.mjs); else Node's default, 511.
  const backlog = process.env.BENCH_LISTEN_BACKLOG;
  await app.listen(0, '127.0.0.1', ...(backlog ? [Number(backlog)] : []));
  return { app, port: app.getHttpServer().address().port };
}

/** A Nest application context (no HTTP server), as a BullMQ worker process runs. */
export async function bootNestContext(metadata, name) {
  const AppModule = class {};
  Object.defineProperty(AppModule, 'name', { value: name });
  Module(metadata)(AppModule);
  return NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
}

/** One keepalive timer shared by every stream, like the module's (lib/http/keepalive-clock.ts). */
export function sharedKeepalive(ms) {
  return interval(ms).pipe(
    map(() => ({ comment: 'keepalive' })),
    share(),
  );
}
