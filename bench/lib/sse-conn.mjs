// A lean SSE client on a raw socket: thousands of them fit in one process, where an
// EventSource or fetch per stream would measure the client more than the server. It speaks
// HTTP/1.1 like a browser (so the server pays for chunked encoding as it would in real use),
// de-chunks, and splits the body into events.
import net from 'node:net';

/** Loopback source addresses, so that 10,000+ connections never run out of ephemeral ports. */
export const LOCAL_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 1}`);

export function requestHead(path, port, headers = {}) {
  const lines = [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/**
 * One SSE connection. `onEvent(conn, type, data, id)` runs for each event with data;
 * `onOpen(conn)` once the status line says 200; `onEnd(conn, reason)` once, when it ends.
 */
export class SseConn {
  constructor({ port, path, headers, localAddress, onOpen, onEvent, onEnd }) {
    this.status = 0;
    this.events = 0;
    this.comments = 0;
    this.ended = false;
    this.onOpen = onOpen;
    this.onEvent = onEvent;
    this.onEnd = onEnd;
    this.head = '';
    this.chunked = false;
    this.remaining = 0;
    this.skip = 0;
    this.sizeLine = '';
    this.buffer = '';
    this.body = '';
    const socket = net.connect({ host: '127.0.0.1', port, localAddress });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.once('connect', () =>
      socket.write(requestHead(path, port, { Accept: 'text/event-stream', ...headers })),
    );
    socket.on('data', (buf) => this.onData(buf.toString('latin1')));
    socket.once('error', (err) => this.end(`error: ${err.code ?? err.message}`));
    socket.once('close', () => this.end('closed'));
  }

  close() {
    this.end('closed by client');
    this.socket.destroy();
  }

  end(reason) {
    if (this.ended) return;
    this.ended = true;
    this.onEnd?.(this, reason);
  }

  onData(text) {
    if (this.status === 0) {
      this.head += text;
      const split = this.head.indexOf('\r\n\r\n');
      if (split === -1) return;
      const head = this.head.slice(0, split);
      text = this.head.slice(split + 4);
      this.head = '';
      this.status = Number(head.slice(9, 12));
      this.chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
      if (this.status !== 200) {
        this.body = text;
        this.socket.once('end', () => this.socket.destroy());
        this.end(`HTTP ${this.status}`);
        return;
      }
      this.onOpen?.(this);
    } else if (this.status !== 200) {
      this.body += text;
      return;
    }
    if (this.chunked) this.dechunk(text);
    else this.parse(text);
  }

  dechunk(text) {
    let pos = 0;
    let out = '';
    while (pos < text.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, text.length - pos);
        out += text.slice(pos, pos + take);
        pos += take;
        this.remaining -= take;
        if (this.remaining === 0) this.skip = 2; // the CRLF after the chunk's data
      } else if (this.skip > 0) {
        const take = Math.min(this.skip, text.length - pos);
        pos += take;
        this.skip -= take;
      } else {
        const newline = text.indexOf('\n', pos);
        if (newline === -1) {
          this.sizeLine += text.slice(pos);
          break;
        }
        const size = parseInt(this.sizeLine + text.slice(pos, newline), 16);
        this.sizeLine = '';
        pos = newline + 1;
        if (size === 0) break; // last chunk: the server ended the response
        this.remaining = size;
      }
    }
    if (out) this.parse(out);
  }

  parse(text) {
    const buffer = this.buffer + text;
    let start = 0;
    let boundary;
    while ((boundary = buffer.indexOf('\n\n', start)) !== -1) {
      this.dispatch(buffer.slice(start, boundary));
      start = boundary + 2;
    }
    this.buffer = start === 0 ? buffer : buffer.slice(start);
  }

  dispatch(block) {
    let type = 'message';
    let data;
    let id;
    for (const line of block.split('\n')) {
      if (line === '') continue;
      if (line.charCodeAt(0) === 58 /* : */) {
        this.comments++;
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value =
        colon === -1 ? '' : line.slice(line.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1);
      if (field === 'data') data = data === undefined ? value : `${data}\n${value}`;
      else if (field === 'event') type = value;
      else if (field === 'id') id = value;
    }
    if (data === undefined) return;
    this.events++;
    this.onEvent(this, type, data, id);
  }
}
