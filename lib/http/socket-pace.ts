import type { Socket } from 'node:net';
import type { Pace } from '../reader/stream-listener.js';

/** How long a pace waits before it looks again when nothing moved (no drain to wait for). */
const STALL_CHECK_MS = 10;

/**
 * The pace of a catch-up over SSE: the next page once the events handed to Nest have reached
 * the client's socket and the socket is not backed up. Nest queues the events of a stream
 * and writes them one by one (and drops a client past MAX_PENDING_CHARS_PER_STREAM queued):
 * a long replay must not be handed over faster than it leaves. The socket counts every byte
 * given to it (`bytesWritten`), and an event takes at least as many bytes as its data has
 * characters: once it has grown by what this stream handed over, Nest holds none of it.
 */
export class SocketPace {
  /** What `bytesWritten` reaches once everything handed over is in the socket, at least. */
  private expected: number;

  constructor(private readonly socket: Socket | undefined) {
    this.expected = socket?.bytesWritten ?? 0;
  }

  /** Events of `chars` characters of data were handed to Nest for this socket. */
  handed(chars: number): void {
    this.expected += chars;
  }

  readonly pace: Pace = () =>
    new Promise((resolve) => {
      const { socket } = this;
      if (!socket) return resolve();
      let seen = socket.bytesWritten;
      const check = (): void => {
        if (socket.destroyed) return resolve();
        if (socket.writableNeedDrain) return void socket.once('drain', check);
        const written = socket.bytesWritten;
        if (written >= this.expected) return resolve();
        // Nest is still handing the events over: look again after it has had its turn.
        if (written > seen) setImmediate(check);
        else setTimeout(check, STALL_CHECK_MS);
        seen = written;
      };
      setImmediate(check);
    });
}
