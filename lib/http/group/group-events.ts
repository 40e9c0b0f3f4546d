import { Injectable, type MessageEvent } from '@nestjs/common';
import { batchHtml } from '../../markup/batch-html.js';
import { eventSlices, MAX_SHOWN_PER_EVENT } from '../../markup/event-slices.js';
import { isTold } from '../../markup/ending.js';
import { memberComplete, memberEnded, memberGone } from '../../markup/group-parts.js';
import type { RtEnd } from '../../queue/end-reason.js';
import { ItemRenderer } from '../../render/item-renderer.js';
import type { GroupGrant, GroupMember } from '../../security/group-grant.js';
import type { RtEntry } from '../../store/rt-entry.js';
import { closeEvent } from '../sse-events.js';
import type { StreamView } from '../stream-view.js';
import { DONE, encodeGroupCursor, type GroupCursor } from './group-cursor.js';

/** How a queue of a group ended: its ending, or gone (expired, never started in time). */
export type MemberEnd = RtEnd | 'gone';

/** What one queue of a group got in a burst. */
export interface MemberBatch {
  index: number;
  entries: RtEntry[];
}

/** The JSON flavour's event for a queue that ended (its items are unnamed messages). */
const JSON_END_EVENT = 'end';

/**
 * A group's entries as SSE events. Each event's id is the group's cursor after it, so a
 * reconnect resumes every queue where it was. HTML: what the queues got at once goes as one
 * event (or several, of at most MAX_SHOWN_PER_EVENT items), each queue's items as partials
 * into its targets (markup/batch-html); JSON: one
 * `{ queue, id, item }` per item. The data of a lone item is built once per entry and view,
 * however many pages show it.
 */
@Injectable()
export class GroupEvents {
  constructor(private readonly renderer: ItemRenderer) {}

  /**
   * The events of `batches` (HTML: `views`, one per member), then each queue's end; advances
   * `cursor` past them.
   */
  fromBatches(
    grant: GroupGrant,
    batches: MemberBatch[],
    cursor: GroupCursor,
    views: StreamView[],
  ): MessageEvent[] {
    const events: MessageEvent[] = [];
    // HTML: the queues' slices gathered into events of at most MAX_SHOWN_PER_EVENT items.
    let html: string[] = [];
    let shownInEvent = 0;
    const flush = () => {
      if (html.length > 0) events.push({ id: encodeGroupCursor(cursor), data: html.join('') });
      html = [];
      shownInEvent = 0;
    };
    for (const { index, entries } of batches) {
      const items = entries.filter((entry) => !entry.isEnd);
      if (grant.format === 'json') {
        const member = grant.members[index]!;
        for (const entry of items) {
          cursor[index] = entry.id;
          const data = entry.remember(`group:json:${member.queue}`, () => jsonItem(member, entry));
          events.push({ id: encodeGroupCursor(cursor), data });
        }
        continue;
      }
      const view = views[index]!;
      for (const { shown, lastId } of eventSlices(items, view.view)) {
        if (shownInEvent + shown.length > MAX_SHOWN_PER_EVENT) flush();
        cursor[index] = lastId;
        html.push(this.memberHtml(shown, view));
        shownInEvent += shown.length;
      }
    }
    flush();
    for (const { index, entries } of batches) {
      const ending = entries.find((entry) => entry.isEnd)?.end;
      if (ending) events.push(this.end(grant, index, ending, cursor));
    }
    return events;
  }

  /** The event of member `index` ending; marks it done in `cursor`. */
  end(grant: GroupGrant, index: number, how: MemberEnd, cursor: GroupCursor): MessageEvent {
    cursor[index] = DONE;
    const member = grant.members[index]!;
    const id = encodeGroupCursor(cursor);
    if (grant.format === 'json') {
      const end = how === 'gone' ? { reason: how } : how;
      return { type: JSON_END_EVENT, id, data: JSON.stringify({ queue: member.queue, ...end }) };
    }
    if (how === 'gone') return { id, data: memberGone(member) };
    return { id, data: isTold(how) ? memberEnded(member, how) : memberComplete(index + 1) };
  }

  /** The last event, once every queue has ended. */
  close(cursor: GroupCursor): MessageEvent {
    return closeEvent('complete', encodeGroupCursor(cursor));
  }

  /** A queue's items as partials into its targets; a lone item's built once for every page. */
  private memberHtml(items: RtEntry[], { view, key }: StreamView): string {
    const make = () => batchHtml(items, view, this.render);
    if (items.length > 1) return make();
    return items[0]!.remember(`group:${key}`, make);
  }

  private readonly render = (entry: RtEntry, template: string) =>
    this.renderer.render(entry, template);
}

/**
 * `{"queue":..,"id":..,"item":..}` (with `target` and `action` for an item the job placed),
 * with the entry's JSON as it is stored (not re-serialised).
 */
function jsonItem(member: GroupMember, entry: RtEntry): string {
  const head = `{"queue":${JSON.stringify(member.queue)},"id":"${entry.id}"`;
  const place = entry.placement;
  const placed = place
    ? `,"target":${JSON.stringify(place.target)},"action":"${place.action}"`
    : '';
  return `${head}${placed},"item":${entry.json!}}`;
}
