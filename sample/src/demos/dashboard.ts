import type { RtMode } from 'nestjs-pluto-rt';
import { PROGRESS_JOBS, STATUS_JOBS, type BullQueueName, type DemoJobData } from './demo-jobs.js';

/** One job of the dashboard: its card, and the queue and template that fill it. */
export interface DashboardPanel {
  slug: string;
  title: string;
  itemTemplate: string;
  swapMode: RtMode;
  bullQueue: BullQueueName;
  job: Omit<DemoJobData, 'rtQueue'>;
}

const list = (
  slug: string,
  title: string,
  steps: number,
  swapMode: RtMode = 'append',
): DashboardPanel => ({
  slug,
  title,
  itemTemplate: 'pluto_rt/status_item',
  swapMode,
  bullQueue: STATUS_JOBS,
  job: { steps, flavour: 'status' as const },
});

const bar = (slug: string, title: string, steps: number): DashboardPanel => ({
  slug,
  title,
  itemTemplate: 'pluto_rt/progress_item',
  swapMode: 'replace' as const,
  bullQueue: PROGRESS_JOBS,
  job: { steps, flavour: 'status' as const },
});

/**
 * Eight jobs started at once and shown on one page over one connection: more than the six
 * HTTP/1.1 connections a browser opens to one origin, which eight single-queue streams would
 * need (and the page's other requests after them). They end at different times.
 */
export const DASHBOARD_PANELS: readonly DashboardPanel[] = [
  list('orders', 'Import orders', 25),
  bar('index', 'Rebuild the search index', 20),
  list('customers', 'Sync customers', 18, 'reverse'),
  bar('images', 'Resize images', 30),
  list('invoices', 'Send invoices', 12),
  bar('prices', 'Recalculate prices', 15),
  list('report', 'Export the monthly report', 8),
  list('backup', 'Nightly backup', 20, 'reverse'),
];

export const DASHBOARD_BLURB = `${DASHBOARD_PANELS.length} jobs at once on one connection (pluto_rt/group): lists and progress bars, each ending on its own.`;
