import type { RtMode } from 'nestjs-pluto-rt';
import { PROGRESS_JOBS, STATUS_JOBS, type BullQueueName, type DemoJobData } from './demo-jobs.js';

export type Transport = 'sse' | 'polling';
export const TRANSPORTS: readonly Transport[] = ['sse', 'polling'];

export const TRANSPORT_LABELS: Record<Transport, string> = {
  sse: 'Server-Sent Events',
  polling: 'polling',
};

/** One demo of the index page: the job it starts and the page that shows it. */
export interface Demo {
  slug: string;
  title: string;
  blurb: string;
  /** View under views/demos/ that shows the results. */
  view: string;
  /** Item template, under the templates folder (the name must contain "pluto_rt"). */
  itemTemplate?: string;
  swapMode: RtMode;
  bullQueue: BullQueueName;
  job: Omit<DemoJobData, 'rtQueue'>;
}

export const STATUS_STEPS = 25;

export const DEMOS: readonly Demo[] = [
  {
    slug: 'list',
    title: 'List',
    blurb: `${STATUS_STEPS} status messages, appended as the job sends them.`,
    view: 'demos/status-list',
    itemTemplate: 'pluto_rt/status_item',
    swapMode: 'append',
    bullQueue: STATUS_JOBS,
    job: { steps: STATUS_STEPS, flavour: 'status' },
  },
  {
    slug: 'reverse',
    title: 'Reverse',
    blurb: 'The same messages, newest on top (mode "reverse").',
    view: 'demos/status-list',
    itemTemplate: 'pluto_rt/status_item',
    swapMode: 'reverse',
    bullQueue: STATUS_JOBS,
    job: { steps: STATUS_STEPS, flavour: 'status' },
  },
  {
    slug: 'progress',
    title: 'Progress bar',
    blurb: 'Mode "replace": only the latest item shows, a bar that fills to 100 %.',
    view: 'demos/progress',
    itemTemplate: 'pluto_rt/progress_item',
    swapMode: 'replace',
    bullQueue: PROGRESS_JOBS,
    job: { steps: 20, flavour: 'status' },
  },
  {
    slug: 'toasts',
    title: 'Toasts',
    blurb: 'Notifications that pop up and fade, rendered by a toast item template.',
    view: 'demos/toasts',
    itemTemplate: 'pluto_rt/toast_item',
    swapMode: 'append',
    bullQueue: STATUS_JOBS,
    job: { steps: 8, flavour: 'toast' },
  },
  {
    slug: 'two-consumers',
    title: 'Two consumers',
    blurb: 'One queue, two panels: each sees every message. Open the page in a second tab too.',
    view: 'demos/two-consumers',
    itemTemplate: 'pluto_rt/status_item',
    swapMode: 'append',
    bullQueue: STATUS_JOBS,
    job: { steps: STATUS_STEPS, flavour: 'status' },
  },
  {
    slug: 'failure',
    title: 'Failure',
    blurb: 'The job throws halfway: the last message says what failed and the stream still ends.',
    view: 'demos/status-list',
    itemTemplate: 'pluto_rt/status_item',
    swapMode: 'append',
    bullQueue: STATUS_JOBS,
    job: { steps: STATUS_STEPS, failAt: 13, flavour: 'status' },
  },
  {
    slug: 'json',
    title: 'JSON',
    blurb: 'No htmx: a few lines of plain JavaScript read the JSON flavour of the same endpoints.',
    view: 'demos/json',
    swapMode: 'append',
    bullQueue: STATUS_JOBS,
    job: { steps: STATUS_STEPS, flavour: 'status' },
  },
];

export function findDemo(slug: string): Demo | undefined {
  return DEMOS.find((demo) => demo.slug === slug);
}

export function isTransport(value: string): value is Transport {
  return (TRANSPORTS as readonly string[]).includes(value);
}
