import { Injectable, type MessageEvent } from '@nestjs/common';
import { batchHtml, type BatchView } from '../markup/batch-html.js';
import { eventSlices } from '../markup/event-slices.js';
import { endEventData, isTold } from '../markup/ending.js';
import { CLOSE_EVENT } from '../markup/htmx-dialect.js';
import type { RtEndReason } from '../queue/end-reason.js';
import { noticeInto, type EndReason } from '../markup/notice.js';
import { routeFor } from '../markup/route.js';
import { ItemRenderer } from '../render/item-renderer.js';
import type { RtEntry } from '../store/rt-entry.js';

/** The JSON flavour's event of an item the job placed: `{ target, action, item }`. */
const PLACED_EVENT = 'placed';
/** The event of an ending that says something, before `close`. */
export const END_EVENT = 'end';

/**
 * Entries as SSE events. HTML: the items of a batch (merged by BurstMerger) as few events as
 * a page can swap smoothly (markup/event-slices: at most MAX_SHOWN_PER_EVENT shown items
 * each), each with the id of the last entry it accounts for, so that resume stays exact; it has no `event:` line (htmx 2's
 * `sse-swap="message"` and htmx 4 both swap those). JSON: one event per item. The end marker
 * is `event: close` (after `event: end` when its ending says something: see endEvents). An event is built once per batch and view however many streams show
 * it.
 */
@Injectable()
export class SseEvents {
  constructor(private readonly renderer: ItemRenderer) {}

  /** The HTML events of `batch` for a connection showing it as `view` (its key: `viewKey`). */
  html(batch: RtEntry[], view: BatchView, viewKey: string): MessageEvent[] {
    const items = batch.filter((entry) => !entry.isEnd);
    // Every stream of a view gets the same batch of live entries at once: built once. A
    // slice is named by its first and last entry (a catch-up page may start where a live
    // batch did and end elsewhere).
    const events = eventSlices(items, view).map(({ shown, lastId }): MessageEvent =>
      shown[0]!.remember(`sse:${viewKey}:${lastId}`, () => ({
        id: lastId,
        data: batchHtml(shown, view, this.render),
      })),
    );
    const end = batch.find((entry) => entry.isEnd);
    if (end) events.push(...endEvents(end));
    return events;
  }

  /** The JSON events of `batch`: each item's JSON as it is stored, or its placement with it. */
  json(batch: RtEntry[]): MessageEvent[] {
    return batch.flatMap((entry): MessageEvent[] =>
      entry.isEnd ? endEvents(entry) : [entry.remember('sse:json', () => jsonEvent(entry))],
    );
  }

  private readonly render = (entry: RtEntry, template: string) =>
    this.renderer.render(entry, template);
}

/** Whether `entries` updated a replace route of `view` (see BurstMerger). */
export function updatesReplaceRoute(entries: readonly RtEntry[], view: BatchView): boolean {
  return entries.some(
    (entry) =>
      !entry.isEnd && !entry.placement && routeFor(view.routes, entry.type).mode === 'replace',
  );
}

function jsonEvent(entry: RtEntry): MessageEvent {
  if (!entry.placement) return { id: entry.id, data: entry.json! };
  const { target, action } = entry.placement;
  const data = `{"target":${JSON.stringify(target)},"action":"${action}","item":${entry.json!}}`;
  return { type: PLACED_EVENT, id: entry.id, data };
}

/**
 * The events of the end marker: an ending that says something (failed, cancelled, or a
 * message) is told first as `event: end` with `{ reason, message? }` (the page's helper
 * shows it; a JSON client reads it), then `close` with the reason. A plain completion is
 * `close` alone, as it always was.
 */
function endEvents(end: RtEntry): MessageEvent[] {
  const ending = end.end!;
  const close = closeEvent(ending.reason, end.id);
  return isTold(ending)
    ? [{ type: END_EVENT, id: end.id, data: endEventData(ending) }, close]
    : [close];
}

/** The event that tells the page to stop (`sse-close="close"`); it needs data to be dispatched. */
export function closeEvent(reason: RtEndReason | 'gone', id: string): MessageEvent {
  return { type: CLOSE_EVENT, id, data: reason };
}

/**
 * A notice in place of a page's stream element. Its id is empty: a notice is no position
 * in the stream, and the page's helper never takes it for one it has shown.
 */
export function noticeEvent(el: string, reason: EndReason): MessageEvent {
  return { id: '', data: noticeInto(el, reason) };
}
