import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** The open sockets of an HTTP server, so that a test can cut them from the server side. */
export class ServerSockets {
  readonly open = new Set<Socket>();
  accepted = 0;

  constructor(server: Server) {
    server.on('connection', (socket: Socket) => {
      this.accepted++;
      this.open.add(socket);
      socket.once('close', () => this.open.delete(socket));
    });
  }

  /** Destroys every open socket (the server drops its clients); returns how many. */
  destroyAll(): number {
    const count = this.open.size;
    for (const socket of this.open) socket.destroy();
    return count;
  }
}
