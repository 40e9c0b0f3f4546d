import { Controller, UseFilters, UseGuards, type Type } from '@nestjs/common';
import { PlutoRtAccessGuard } from './access.guard.js';
import { AssetsController } from './assets.controller.js';
import { CancelController } from './cancel.controller.js';
import { GroupPollController } from './group/group-poll.controller.js';
import { GroupSseController } from './group/group-sse.controller.js';
import { PlainExceptionFilter } from './plain-exception.filter.js';
import { PollController } from './poll.controller.js';
import { SseController } from './sse.controller.js';

/**
 * The route prefix is an option, and decorators are static: each import of the module
 * mounts its own subclasses of the controllers under its prefix.
 */
export function createControllers(routePrefix: string): Type[] {
  return [
    SseController,
    PollController,
    GroupSseController,
    GroupPollController,
    AssetsController,
    CancelController,
  ].map((base) => {
    const mounted = class extends (base as Type) {};
    Object.defineProperty(mounted, 'name', { value: base.name });
    Controller(routePrefix)(mounted);
    UseGuards(PlutoRtAccessGuard)(mounted);
    UseFilters(PlainExceptionFilter)(mounted);
    return mounted;
  });
}
