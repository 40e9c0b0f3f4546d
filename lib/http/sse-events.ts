import { Injectable, type MessageEvent } from '@nestjs/common';
import { ItemRenderer } from '../render/item-renderer.js';
import type { RtEntry } from '../store/rt-entry.js';
import type { StreamGrant } from '../security/url-signer.js';
import { CLOSE_EVENT } from '../markup/htmx-dialect.js';
import { noticeInto, type EndReason } from '../markup/notice.js';

/**
 * Entries as SSE events. Items go out without an `event:` line (htmx 2's
 * `sse-swap="message"` and htmx 4 both swap those); the end marker is `event: close`.
 * Each event object is built once per entry and view and shared by every stream.
 */
@Injectable()
export class SseEvents {
  constructor(private readonly renderer: ItemRenderer) {}

  fromBatch(batch: RtEntry[], grant: StreamGrant): MessageEvent[] {
    const { format, template } = grant;
    const items = batch.filter((entry) => !entry.isEnd);
    // Replace mode shows only the latest item: skip what it would overwrite at once.
    const shown = grant.mode === 'replace' ? items.slice(-1) : items;
    const events = shown.map((entry) =>
      entry.remember<MessageEvent>(`sse:${format}:${template}`, () => ({
        id: entry.id,
        data: format === 'json' ? entry.json! : this.renderer.render(entry, template),
      })),
    );
    const end = batch.find((entry) => entry.isEnd);
    if (end) events.push(closeEvent('complete', end.id));
    return events;
  }
}

/** The event that tells the page to stop (`sse-close="close"`); it needs data to be dispatched. */
export function closeEvent(reason: 'complete' | 'gone', id: string): MessageEvent {
  return { type: CLOSE_EVENT, id, data: reason };
}

/**
 * A notice in place of a page's stream element. Its id is empty: a notice is no position
 * in the stream, and the page's helper never takes it for one it has shown.
 */
export function noticeEvent(el: string, reason: EndReason): MessageEvent {
  return { id: '', data: noticeInto(el, reason) };
}
