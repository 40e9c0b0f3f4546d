import { RtError } from '../errors.js';
import { parseCursorId } from '../store/stream-id.js';

/**
 * The `after` option of `stream()` as a canonical cursor: missing or empty means from the
 * start (as on the HTTP routes); anything else must be a stream id (RtError). The module's
 * service and the testing fake share it, so that both refuse the same cursors alike.
 */
export function streamCursor(after: string | undefined): string {
  const value = after === undefined || after === '' ? '0' : after;
  const cursor = parseCursorId(value);
  if (!cursor)
    throw new RtError(
      `Invalid cursor ${JSON.stringify(value)}: expected a stream id, not from the future`,
    );
  return cursor;
}
