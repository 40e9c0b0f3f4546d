import { Injectable, type MessageEvent } from '@nestjs/common';
import { memberComplete, memberGone, memberItems } from '../../markup/group-parts.js';
import { ItemRenderer } from '../../render/item-renderer.js';
import type { GroupGrant, GroupMember } from '../../security/group-grant.js';
import type { RtEntry } from '../../store/rt-entry.js';
import { closeEvent } from '../sse-events.js';
import { DONE, encodeGroupCursor, type GroupCursor } from './group-cursor.js';

/** How a queue of a group ended. */
export type MemberEnd = 'complete' | 'gone';

/** The JSON flavour's event for a queue that ended (its items are unnamed messages). */
const JSON_END_EVENT = 'end';

/**
 * A group's entries as SSE events. Each event's id is the group's cursor after it, so a
 * reconnect resumes every queue where it was. HTML items come as `<hx-partial>` into their
 * queue's target; JSON items as `{ queue, id, item }`. The data of an item is built once
 * per entry and place, however many pages show it.
 */
@Injectable()
export class GroupEvents {
  constructor(private readonly renderer: ItemRenderer) {}

  /** The events of member `index`'s batch; advances `cursor` past it. */
  fromBatch(
    grant: GroupGrant,
    index: number,
    batch: RtEntry[],
    cursor: GroupCursor,
  ): MessageEvent[] {
    const member = grant.members[index]!;
    const items = batch.filter((entry) => !entry.isEnd);
    // Replace mode shows only the latest item: skip what it would overwrite at once.
    const shown = member.mode === 'replace' ? items.slice(-1) : items;
    const events: MessageEvent[] = shown.map((entry) => {
      cursor[index] = entry.id;
      return { id: encodeGroupCursor(cursor), data: this.itemData(grant, member, entry) };
    });
    if (batch.some((entry) => entry.isEnd)) events.push(this.end(grant, index, 'complete', cursor));
    return events;
  }

  /** The event of member `index` ending; marks it done in `cursor`. */
  end(grant: GroupGrant, index: number, how: MemberEnd, cursor: GroupCursor): MessageEvent {
    cursor[index] = DONE;
    const member = grant.members[index]!;
    const id = encodeGroupCursor(cursor);
    if (grant.format === 'json')
      return {
        type: JSON_END_EVENT,
        id,
        data: JSON.stringify({ queue: member.queue, reason: how }),
      };
    return { id, data: how === 'gone' ? memberGone(member) : memberComplete(index + 1) };
  }

  /** The last event, once every queue has ended. */
  close(cursor: GroupCursor): MessageEvent {
    return closeEvent('complete', encodeGroupCursor(cursor));
  }

  private itemData(grant: GroupGrant, member: GroupMember, entry: RtEntry): string {
    if (grant.format === 'json')
      return entry.remember(`group:json:${member.queue}`, () => jsonItem(member, entry));
    return entry.remember(`group:${member.template}:${member.target}:${member.mode}`, () =>
      memberItems(member, this.renderer.render(entry, member.template)),
    );
  }
}

/** `{"queue":..,"id":..,"item":..}`, with the entry's JSON as it is stored (not re-serialised). */
function jsonItem(member: GroupMember, entry: RtEntry): string {
  return `{"queue":${JSON.stringify(member.queue)},"id":"${entry.id}","item":${entry.json!}}`;
}
