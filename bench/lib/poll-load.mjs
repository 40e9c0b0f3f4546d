// Closed-loop HTTP load on keep-alive connections: each connection sends a request, reads the
// whole response, sends the next. For the htmx poll figure (requests per second).
import net from 'node:net';
import { LOCAL_ADDRESSES, requestHead } from './sse-conn.mjs';

/** Runs `connections` request loops on `path` for `durationMs`; counts responses by status. */
export function pollLoad({ port, path, headers = {}, connections, durationMs }) {
  return new Promise((resolve, reject) => {
    const request = requestHead(path, port, { Connection: 'keep-alive', ...headers });
    const statuses = {};
    let responses = 0;
    let running = connections;
    let failure;
    const started = performance.now();
    const deadline = started + durationMs;
    const finish = () => {
      if (--running > 0) return;
      const seconds = (performance.now() - started) / 1000;
      if (failure && responses === 0) reject(failure);
      else resolve({ responses, seconds, perSecond: responses / seconds, statuses, connections });
    };
    for (let i = 0; i < connections; i++) {
      const socket = net.connect({
        host: '127.0.0.1',
        port,
        localAddress: LOCAL_ADDRESSES[i % LOCAL_ADDRESSES.length],
      });
      socket.setNoDelay(true);
      let pending = '';
      let done = false;
      const stop = () => {
        if (done) return;
        done = true;
        socket.destroy();
        finish();
      };
      socket.once('connect', () => socket.write(request));
      socket.on('data', (buf) => {
        pending += buf.toString('latin1');
        // Each loop has one request in flight, so a buffer holds at most one response.
        const split = pending.indexOf('\r\n\r\n');
        if (split === -1) return;
        const head = pending.slice(0, split);
        const status = Number(head.slice(9, 12));
        const body = pending.slice(split + 4);
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        const chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
        const complete =
          status === 204 || status === 304
            ? true
            : length
              ? body.length >= Number(length[1])
              : chunked
                ? body.endsWith('0\r\n\r\n')
                : false;
        if (!complete) return;
        pending = '';
        responses++;
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (performance.now() >= deadline) stop();
        else socket.write(request);
      });
      socket.once('error', (err) => {
        failure ??= err;
        stop();
      });
      socket.once('close', stop);
    }
  });
}
