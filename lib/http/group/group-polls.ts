import { Injectable } from '@nestjs/common';
import { memberGone, memberItems } from '../../markup/group-parts.js';
import { orderForMode } from '../../markup/swap-mode.js';
import { ItemRenderer } from '../../render/item-renderer.js';
import type { GroupGrant } from '../../security/group-grant.js';
import type { RtEntry } from '../../store/rt-entry.js';
import { START_ID } from '../../store/stream-id.js';
import { StreamStore } from '../../store/stream-store.js';
import { DONE, encodeGroupCursor, type GroupCursor } from './group-cursor.js';
import type { MemberEnd } from './group-events.js';

/** What one poll found in one queue of a group. */
interface MemberRead {
  index: number;
  items: RtEntry[];
  end?: MemberEnd;
}

/** What one poll of a group found: per queue, and the cursor after it. */
export interface GroupRead {
  reads: MemberRead[];
  next: GroupCursor;
  /** Whether anything moved (items, or a queue that ended): else the answer is a 204. */
  changed: boolean;
  complete: boolean;
}

/** A poll of a group: each queue read after its own cursor, in one answer. */
@Injectable()
export class GroupPolls {
  constructor(
    private readonly store: StreamStore,
    private readonly renderer: ItemRenderer,
  ) {}

  async read(grant: GroupGrant, cursor: GroupCursor, count: number): Promise<GroupRead> {
    const next = [...cursor];
    const found = await Promise.all(
      grant.members.map(async (member, index): Promise<MemberRead | undefined> => {
        const after = cursor[index]!;
        if (after === DONE) return undefined;
        const read = await this.store.read(member.queue, after, count);
        // A queue not started yet has nothing new; one that has no stream after its reader
        // saw items is gone (abandoned and expired), as on the single-queue route.
        if (read === 'not-started' && after === START_ID) return undefined;
        if (read === 'not-started' || read === 'gone') {
          next[index] = DONE;
          return { index, items: [], end: 'gone' };
        }
        const ended = read.some((entry) => entry.isEnd);
        next[index] = ended ? DONE : (read.at(-1)?.id ?? after);
        const items = read.filter((entry) => !entry.isEnd);
        if (items.length === 0 && !ended) return undefined;
        return { index, items, end: ended ? 'complete' : undefined };
      }),
    );
    const reads = found.filter((read): read is MemberRead => read !== undefined);
    return {
      reads,
      next,
      changed: reads.length > 0,
      complete: next.every((part) => part === DONE),
    };
  }

  /** The answer's partials: each queue's new items (in its mode's order) or its notice. */
  html(grant: GroupGrant, read: GroupRead): string[] {
    return read.reads.flatMap(({ index, items, end }) => {
      const member = grant.members[index]!;
      const parts: string[] = [];
      const shown = orderForMode(items, member.mode);
      if (shown.length > 0) {
        const html = shown.map((entry) => this.renderer.render(entry, member.template));
        parts.push(memberItems(member, html.join('\n')));
      }
      if (end === 'gone') parts.push(memberGone(member));
      return parts;
    });
  }

  /** The JSON flavour: items naming their queue, the queues that ended, the next cursor. */
  json(grant: GroupGrant, read: GroupRead): object {
    const items: Array<{ queue: string; id: string; item: unknown }> = [];
    const ended: Array<{ queue: string; reason: MemberEnd }> = [];
    for (const { index, items: entries, end } of read.reads) {
      const { queue, mode } = grant.members[index]!;
      for (const entry of orderForMode(entries, mode))
        items.push({ queue, id: entry.id, item: entry.item });
      if (end) ended.push({ queue, reason: end });
    }
    return {
      items,
      ended,
      cursor: encodeGroupCursor(read.next),
      complete: read.complete,
    };
  }
}
