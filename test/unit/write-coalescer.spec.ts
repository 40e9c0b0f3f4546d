import net from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { MAX_HELD_CHARS, WriteCoalescer } from '../../lib/http/write-coalescer.js';

/** A connected pair of real TCP sockets on loopback: the server's end and the client's. */
async function socketPair(): Promise<{ server: net.Socket; client: net.Socket; close(): void }> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as net.AddressInfo;
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  const client = net.connect(port, '127.0.0.1');
  const server = await accepted;
  return {
    server,
    client,
    close: () => {
      client.destroy();
      server.destroy();
      listener.close();
    },
  };
}

describe('WriteCoalescer', () => {
  let pair: Awaited<ReturnType<typeof socketPair>>;
  let coalescer: WriteCoalescer;

  beforeEach(async () => {
    pair = await socketPair();
    coalescer = new WriteCoalescer();
  });
  afterEach(() => pair.close());

  it('lets a lone event go out at once', () => {
    coalescer.hold(pair.server, 1, 10);
    expect(pair.server.writableCorked).toBe(0);
  });

  it('lets lone events go out at once all turn long (a stream of live pushes)', () => {
    for (let i = 0; i < 5; i++) coalescer.hold(pair.server, 1, 10);
    expect(pair.server.writableCorked).toBe(0);
  });

  it('holds a socket from a batch on, and releases it at the end of the turn', async () => {
    coalescer.hold(pair.server, 3, 30);
    expect(pair.server.writableCorked).toBe(1);
    // What follows the batch in the same turn joins its write.
    coalescer.hold(pair.server, 1, 10);
    expect(pair.server.writableCorked).toBe(1);
    await nextTurn();
    expect(pair.server.writableCorked).toBe(0);
  });

  it('never holds more than MAX_HELD_CHARS for one socket in a turn', () => {
    coalescer.hold(pair.server, 2, MAX_HELD_CHARS + 1);
    expect(pair.server.writableCorked).toBe(0);
    coalescer.hold(pair.server, 2, MAX_HELD_CHARS - 10);
    expect(pair.server.writableCorked).toBe(1);
    coalescer.hold(pair.server, 2, 11);
    expect(pair.server.writableCorked).toBe(0);
  });

  it('ignores a destroyed socket', () => {
    pair.server.destroy();
    expect(() => coalescer.hold(pair.server, 5, 50)).not.toThrow();
    expect(pair.server.writableCorked).toBe(0);
  });
});
