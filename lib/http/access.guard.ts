import {
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
  type Type,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { lastValueFrom, isObservable } from 'rxjs';
import { PLUTO_RT_CONFIG } from '../pluto-rt.constants.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import { IS_ASSET_ROUTE } from './assets.controller.js';

/**
 * Runs the app's guards (the `guards` option) before the module's routes. They come from
 * options, possibly async ones, so they cannot be a static @UseGuards list.
 */
@Injectable()
export class PlutoRtAccessGuard implements CanActivate {
  private resolved?: Promise<CanActivate[]>;

  constructor(
    @Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig,
    private readonly moduleRef: ModuleRef,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.config.guards.length === 0) return true;
    if (
      !this.config.guardAssets &&
      this.reflector.get<boolean>(IS_ASSET_ROUTE, context.getHandler())
    )
      return true;
    for (const guard of await (this.resolved ??= this.resolve())) {
      const verdict = guard.canActivate(context);
      const allowed = isObservable(verdict) ? await lastValueFrom(verdict) : await verdict;
      // A guard that returns false gets Nest's usual 403 from the caller of this guard.
      if (!allowed) return false;
    }
    return true;
  }

  private resolve(): Promise<CanActivate[]> {
    return Promise.all(
      this.config.guards.map(async (guard) => {
        if (typeof guard !== 'function') return guard;
        try {
          return this.moduleRef.get(guard, { strict: false });
        } catch {
          return this.moduleRef.create(guard as Type<CanActivate>);
        }
      }),
    );
  }
}
