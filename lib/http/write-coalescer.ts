import { Injectable } from '@nestjs/common';
import type { Socket } from 'node:net';

/**
 * Characters a socket may hold in one turn. Nest drops a client once more than 1 Mi
 * characters wait for it while its stream is backed up (see MAX_PENDING_CHARS_PER_STREAM),
 * and a held socket looks backed up: holding more could drop a client that reads. Beyond
 * this, writes are big enough on their own.
 */
export const MAX_HELD_CHARS = 256 * 1024;

/**
 * Holds the writes of SSE sockets until the event loop's check phase, so that the events of
 * a batch (a replay, a catch-up) and those that follow it in the same turn leave in one
 * write: Nest writes each event on its own, and a syscall per event per socket is what
 * bounds replay. A lone event goes out at once, even the second of a turn: live pushes come
 * one per message, and holding a socket that gets a stream of them (a worker pushing as fast
 * as Redis takes it) lets them arrive faster than one held write per turn lets them leave,
 * until Nest drops the client; Node gathers a busy socket's writes by itself (those made
 * while one is out go together). One `setImmediate` releases every held socket. A socket
 * whose buffer filled up is held again once it drains, as the rest of its batch follows then.
 */
@Injectable()
export class WriteCoalescer {
  /** Held sockets and the characters given to each in this turn. */
  private held = new Map<Socket, number>();
  private scheduled = false;
  private readonly draining = new WeakSet<Socket>();

  /** Called before `events` events of `chars` characters are handed to Nest for `socket`. */
  hold(socket: Socket | undefined, events: number, chars: number): void {
    if (!socket || socket.destroyed) return;
    const tally = this.held.get(socket);
    if (tally !== undefined) {
      if (tally + chars <= MAX_HELD_CHARS) {
        this.held.set(socket, tally + chars);
      } else {
        this.held.delete(socket);
        socket.uncork();
      }
      return;
    }
    if (events <= 1 || chars > MAX_HELD_CHARS) return;
    this.schedule();
    socket.cork();
    this.held.set(socket, chars);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.release);
  }

  private readonly release = (): void => {
    const sockets = this.held;
    this.held = new Map();
    this.scheduled = false;
    for (const socket of sockets.keys()) {
      socket.uncork();
      if (socket.writableNeedDrain && !this.draining.has(socket)) {
        this.draining.add(socket);
        socket.once('drain', () => {
          this.draining.delete(socket);
          this.hold(socket, 2, 0);
        });
      }
    }
  };
}
