// The local channel from a worker process to the baselines that have no Redis (C and D): one
// loopback TCP connection carrying `<channel> <json>\n` lines. It is the cheapest fair feed we
// found: one write per push on the worker, one read per chunk on the server, no broker, so
// that D stays the floor of the Nest stack. The server acknowledges each chunk it has handed
// on with the count of lines so far, so that a push resolves like a Redis reply does and a
// burst keeps a bounded window in flight.
import net from 'node:net';
import { once } from 'node:events';

/** Server side: calls `onLine(channel, json)` for each line; resolves to `{ port, close }`. */
export async function listenFeed(onLine) {
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    let rest = '';
    let lines = 0;
    socket.on('data', (text) => {
      const chunk = rest + text;
      let start = 0;
      let end;
      while ((end = chunk.indexOf('\n', start)) !== -1) {
        const space = chunk.indexOf(' ', start);
        onLine(chunk.slice(start, space), chunk.slice(space + 1, end));
        lines++;
        start = end + 1;
      }
      rest = chunk.slice(start);
      socket.write(`${lines}\n`);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: server.address().port,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** Worker side: `push(channel, json)` resolves once the server has handed the line on. */
export async function connectFeed(port) {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  socket.setEncoding('utf8');
  await once(socket, 'connect');
  /** Resolvers of unacknowledged lines, in order; `acked` lines were resolved so far. */
  const waiting = [];
  let sent = 0;
  let acked = 0;
  let rest = '';
  socket.on('data', (text) => {
    const chunk = rest + text;
    const last = chunk.lastIndexOf('\n');
    rest = chunk.slice(last + 1);
    if (last === -1) return;
    const upTo = Number(chunk.slice(chunk.lastIndexOf('\n', last - 1) + 1, last));
    const done = waiting.splice(0, upTo - acked);
    acked = upTo;
    for (const resolve of done) resolve();
  });
  return {
    push(channel, json) {
      sent++;
      socket.write(`${channel} ${json}\n`);
      return new Promise((resolve) => waiting.push(resolve));
    },
    get inFlight() {
      return sent - acked;
    },
    close() {
      socket.destroy();
    },
  };
}
