import type { Logger, Type } from '@nestjs/common';

/**
 * The OpsModule, or undefined when its optional packages (@nestjs/terminus, prom-client) are
 * not installed: the demos run without them (the module's own tests do, see
 * scripts/test-without-optional-peers.sh), only /health and /metrics are then missing.
 */
export async function loadOps(logger: Logger): Promise<Type | undefined> {
  try {
    return (await import('./ops.module.js')).OpsModule;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw err;
    logger.warn(`No /health or /metrics: ${(err as Error).message.split('\n')[0]}`);
    return undefined;
  }
}
