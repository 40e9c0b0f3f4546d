import type { RtMode } from 'nestjs-pluto-rt';
import {
  LIFE_JOBS,
  PROGRESS_JOBS,
  STATUS_JOBS,
  type BullQueueName,
  type DemoJobData,
} from './demo-jobs.js';

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
  /** BullMQ attempts (LIFE_JOBS): a failed attempt is retried this many times less one. */
  attempts?: number;
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
    slug: 'retries',
    title: 'Retries',
    blurb:
      'Every attempt fails at step 3, and BullMQ tries 3 times: the page shows each attempt, each retry (why, and when) and the end (failed). The module tells it: the job says nothing of it.',
    view: 'demos/job-life',
    itemTemplate: 'pluto_rt/status_item',
    swapMode: 'append',
    bullQueue: LIFE_JOBS,
    job: { steps: 5, failAt: 3, flavour: 'status' },
    attempts: 3,
  },
  {
    slug: 'lost-worker',
    title: 'Lost worker',
    blurb:
      'Run the sample as `npm run sample:web` and two `npm run sample:worker`: the job kills its own worker at step 4 (as an out-of-memory kill would). The page says so when BullMQ sees the worker lost, and shows the run on the other worker.',
    view: 'demos/job-life',
    itemTemplate: 'pluto_rt/status_item',
    swapMode: 'append',
    bullQueue: LIFE_JOBS,
    job: { steps: 8, loseWorkerAt: 4, flavour: 'status' },
    attempts: 2,
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
