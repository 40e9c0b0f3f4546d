/** What the demo jobs say. Items are plain JSON: the item templates decide how they look. */
export type Level = 'info' | 'success' | 'warning' | 'danger';

export interface StatusItem {
  level: Level;
  text: string;
  /** 1-based; 0 for the "queued" line the web app writes before the job starts. */
  step?: number;
  failed?: boolean;
}

/** Step `step` of an import job: mostly progress notes, with the odd warning and rejected record. */
export function statusMessage(step: number, total: number): StatusItem {
  let level: Level = 'info';
  let what = `imported batch ${step} of ${total}`;
  if (step === total) [level, what] = ['success', `all ${total} batches imported`];
  else if (step % 10 === 7)
    [level, what] = ['danger', `record ${step * 37} rejected: missing customer id`];
  else if (step % 6 === 0) [level, what] = ['warning', 'slow answer from the orders API, retried'];
  else if (step % 5 === 0) [level, what] = ['success', `checkpoint saved after batch ${step}`];
  return { level, step, text: `Step ${step}/${total}: ${what}` };
}

const TOASTS: ReadonlyArray<[Level, string]> = [
  ['info', 'New order #1041 from Ada'],
  ['success', 'Payment of 42.00 EUR received'],
  ['warning', 'Stock of "blue mug" is low'],
  ['info', 'Invoice #887 sent'],
  ['danger', 'Card declined for order #1043'],
  ['success', 'Order #1041 shipped'],
  ['info', 'New review: 5 stars'],
  ['success', 'Daily report ready'],
];

export function toastMessage(step: number, total: number): StatusItem {
  const [level, text] = TOASTS[(step - 1) % TOASTS.length]!;
  return { level, step, text: `${text} (${step}/${total})` };
}

/** The first item of every queue, written by the web app so the queue exists before the page opens. */
export function queuedMessage(): StatusItem {
  return { level: 'info', step: 0, text: 'Job queued: waiting for a worker' };
}

/** The last item of a failed job. */
export function failureMessage(err: unknown): StatusItem {
  const reason = err instanceof Error ? err.message : String(err);
  return { level: 'danger', failed: true, text: `Job failed: ${reason}` };
}
