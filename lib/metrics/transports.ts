import { TRANSPORTS } from './metric-table.js';

/** The `transport` label of delivered_events_total, as RtMetrics.count takes it. */
export const SSE = TRANSPORTS.indexOf('sse');
export const POLL = TRANSPORTS.indexOf('poll');
