/** @internal Resolved, validated options (see resolve-options.ts). */
export const PLUTO_RT_CONFIG = Symbol('PLUTO_RT_CONFIG');
/** @internal The route prefix, fixed when the module is imported. */
export const PLUTO_RT_ROUTE_PREFIX = Symbol('PLUTO_RT_ROUTE_PREFIX');
/**
 * @internal The stream store and the shared reader, as RtQueueService injects them: by
 * token, so that RtQueueService's file need not import their classes (and ioredis).
 */
export const PLUTO_RT_STREAM_STORE = Symbol('PLUTO_RT_STREAM_STORE');
export const PLUTO_RT_STREAM_HUB = Symbol('PLUTO_RT_STREAM_HUB');

/** Field names of a stream entry: an item, or the end marker. */
export const ITEM_FIELD = 'd';
export const END_FIELD = 'e';

/** The three ways a page shows a queue's items. */
export const RT_MODES = ['append', 'reverse', 'replace'] as const;
export type RtMode = (typeof RT_MODES)[number];
