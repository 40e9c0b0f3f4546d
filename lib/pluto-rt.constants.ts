// The module's injection tokens. Only PLUTO_RT_MODULE_OPTIONS is public (index.ts): what
// forRoot/forRootAsync were given; the others are the module's own.

/** The options given to `PlutoRtModule.forRoot` (or made by `forRootAsync`'s factory). */
export const PLUTO_RT_MODULE_OPTIONS = Symbol('PLUTO_RT_MODULE_OPTIONS');
/** Resolved, validated options (see options/resolve-options.ts). */
export const PLUTO_RT_CONFIG = Symbol('PLUTO_RT_CONFIG');
/** The route prefix, fixed when the module is imported. */
export const PLUTO_RT_ROUTE_PREFIX = Symbol('PLUTO_RT_ROUTE_PREFIX');
/**
 * The stream store and the shared reader, as RtQueueService injects them: by token, so
 * that RtQueueService's file need not import their classes (and ioredis).
 */
export const PLUTO_RT_STREAM_STORE = Symbol('PLUTO_RT_STREAM_STORE');
export const PLUTO_RT_STREAM_HUB = Symbol('PLUTO_RT_STREAM_HUB');
/** The metrics sink: NO_METRICS when metrics are off. */
export const PLUTO_RT_METRICS = Symbol('PLUTO_RT_METRICS');
/** The queue handles' signals (queue/queue-signals), by token: RtQueueService must not load ioredis. */
export const PLUTO_RT_QUEUE_SIGNALS = Symbol('PLUTO_RT_QUEUE_SIGNALS');
