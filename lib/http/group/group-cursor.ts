import { parseCursorId, START_ID } from '../../store/stream-id.js';

/** The cursor part of a queue that has ended (completed, or gone): nothing more to read. */
export const DONE = 'done';

/** Where a group's reader is in each of its queues: a stream id, or DONE. */
export type GroupCursor = string[];

/**
 * A group's position as one SSE event id (or `after` value): the cursor of each queue, in
 * the group's order, joined by `.` — e.g. `1733000000000-4.0-0.done`.
 */
export function encodeGroupCursor(cursor: GroupCursor): string {
  return cursor.join('.');
}

/**
 * The cursor `raw` gives for a group of `size` queues, `size` times the start when it is
 * empty; undefined when malformed: another count of parts, or a part that is neither a
 * stream id (`0` included) nor `done`.
 */
export function parseGroupCursor(raw: string, size: number): GroupCursor | undefined {
  if (raw === '') return Array<string>(size).fill(START_ID);
  const parts = raw.split('.');
  if (parts.length !== size) return undefined;
  const cursor: GroupCursor = [];
  for (const part of parts) {
    const id = part === DONE ? DONE : parseCursorId(part);
    if (id === undefined) return undefined;
    cursor.push(id);
  }
  return cursor;
}
