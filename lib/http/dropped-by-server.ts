import type { Socket } from 'node:net';

/**
 * Whether an SSE response that is ending was cut by the server: Nest destroys the response
 * of a client that stopped reading (over `maxPendingDataLength`) and tears the stream down
 * in the same turn. A client that left has sent its FIN (`readableEnded`) or a reset
 * (`errored`) by then; a stream that ended on its own has not destroyed its socket.
 */
export function droppedByServer(socket: Socket | undefined): boolean {
  return !!socket && socket.destroyed && !socket.readableEnded && !socket.errored;
}
