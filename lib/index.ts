export { PlutoRtModule } from './pluto-rt.module.js';
export { PLUTO_RT_MODULE_OPTIONS } from './pluto-rt.constants.js';
export {
  RtQueueService,
  type RtGroupMember,
  type RtGroupUrls,
  type RtRouteOptions,
  type RtStats,
  type RtUrlOptions,
  type RtJobUrls,
  type RtUrls,
} from './rt-queue.service.js';
export { RtQueue, type RtProgressItem } from './queue/rt-queue.js';
export { RT_ACTIONS, type RtAction, type RtPlacement } from './queue/item-placement.js';
export {
  RT_END_REASONS,
  MAX_END_MESSAGE,
  type RtEnd,
  type RtEndReason,
} from './queue/end-reason.js';
export type { RtMessage } from './store/rt-entry.js';
export type { RtJobRef } from './queue/job-queue-name.js';
export type { RtJobItem, RtJobState } from './jobs/job-items.js';
export type { RtHubStats } from './reader/stream-hub.js';
export type { StreamFormat, StreamGrant } from './security/url-signer.js';
export { RT_MODES, type RtMode } from './markup/rt-modes.js';
export type {
  PlutoRtModuleOptions,
  PlutoRtModuleExtras,
  PlutoRtRedisOptions,
  PlutoRtMetricsOptions,
  PlutoRtMetricsRegistry,
} from './options/pluto-rt-options.interface.js';
export type { GroupGrant, GroupMember } from './security/group-grant.js';
export { MAX_GROUP_QUEUES } from './security/group-grant.js';
export { HTMX_MAJORS, type HtmxMajor } from './markup/htmx-dialect.js';
export * from './errors.js';
export {
  RtHealthCheck,
  DEFAULT_HEALTH_TIMEOUT_MS,
  type RtHealthReport,
} from './health/rt-health-check.js';
export type { RtConnectionHealth } from './health/ping-within.js';
export { PUSH_OUTCOMES, type PushOutcome } from './metrics/rt-metrics.js';
