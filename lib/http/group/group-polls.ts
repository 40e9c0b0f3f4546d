import { Injectable } from '@nestjs/common';
import { batchHtml } from '../../markup/batch-html.js';
import { isTold } from '../../markup/ending.js';
import { memberEnded, memberGone } from '../../markup/group-parts.js';
import type { HtmxMajor } from '../../markup/htmx-dialect.js';
import type { RtPlacement } from '../../queue/item-placement.js';
import { streamView } from '../stream-view.js';
import { orderForMode } from '../../markup/swap-mode.js';
import { ItemRenderer } from '../../render/item-renderer.js';
import { memberRoutes, type GroupGrant } from '../../security/group-grant.js';
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
        const { entries } = read;
        const ending = entries.find((entry) => entry.isEnd)?.end;
        const ended = ending !== undefined;
        next[index] = ended ? DONE : (entries.at(-1)?.id ?? after);
        const items = entries.filter((entry) => !entry.isEnd);
        if (items.length === 0 && !ended) return undefined;
        return { index, items, end: ending };
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

  /** The answer's partials: each queue's new items into its targets (see batchHtml), or its notice. */
  html(grant: GroupGrant, read: GroupRead, major: HtmxMajor): string[] {
    return read.reads.flatMap(({ index, items, end }) => {
      const member = grant.members[index]!;
      const parts: string[] = [];
      if (items.length > 0) {
        const { view } = streamView({ ...member, routes: memberRoutes(member) }, major);
        parts.push(batchHtml(items, view, this.render));
      }
      if (end === 'gone') parts.push(memberGone(member));
      else if (end && isTold(end)) parts.push(memberEnded(member, end));
      return parts;
    });
  }

  private readonly render = (entry: RtEntry, template: string) =>
    this.renderer.render(entry, template);

  /** The JSON flavour: items naming their queue, the queues that ended, the next cursor. */
  json(grant: GroupGrant, read: GroupRead): object {
    const items: Array<{ queue: string; id: string; item: unknown; placement?: RtPlacement }> = [];
    const ended: Array<{ queue: string; reason: string; message?: string }> = [];
    for (const { index, items: entries, end } of read.reads) {
      const { queue, mode } = grant.members[index]!;
      for (const entry of orderForMode(entries, mode)) {
        const { id, item, placement } = entry;
        items.push(placement ? { queue, id, item, placement } : { queue, id, item });
      }
      if (end) ended.push(end === 'gone' ? { queue, reason: end } : { queue, ...end });
    }
    return {
      items,
      ended,
      cursor: encodeGroupCursor(read.next),
      complete: read.complete,
    };
  }
}
