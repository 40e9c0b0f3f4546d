// `nestjs-pluto-rt/terminus`: the only entry point that imports @nestjs/terminus (an
// optional peer dependency), so that the main entry loads without it.
export { PlutoRtHealthIndicator, type PlutoRtHealthOptions } from './pluto-rt.health-indicator.js';
export type { RtHealthReport } from '../health/rt-health-check.js';
export type { RtConnectionHealth } from '../health/ping-within.js';
