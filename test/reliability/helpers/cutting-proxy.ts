import net from 'node:net';

/**
 * A TCP proxy between test clients and an app, which can cut a connection in the middle of
 * what the server sends: the next server-to-client chunk is forwarded only up to a given
 * byte, then both sides are destroyed (a proxy or network failure mid-event).
 */
export class CuttingProxy {
  /** Connections accepted so far. */
  opened = 0;
  /** Cuts that truncated a chunk. */
  cuts = 0;
  private readonly pairs = new Set<[client: net.Socket, upstream: net.Socket]>();
  private pendingCut: number | undefined;

  private constructor(
    private readonly server: net.Server,
    readonly url: string,
  ) {}

  static async start(targetPort: number): Promise<CuttingProxy> {
    // Clients arrive once it listens, after `proxy` is made.
    const server = net.createServer((client) => proxy.accept(client, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const proxy = new CuttingProxy(server, `http://127.0.0.1:${port}`);
    return proxy;
  }

  get open(): number {
    return this.pairs.size;
  }

  /** Arms a cut: the next chunk from the server passes only its first `bytes` bytes (>= 0). */
  cutNextChunkAt(bytes: number): void {
    this.pendingCut = bytes;
  }

  /** Cancels an armed cut that no chunk has met. */
  disarm(): void {
    this.pendingCut = undefined;
  }

  async close(): Promise<void> {
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, targetPort: number): void {
    this.opened++;
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pair: [net.Socket, net.Socket] = [client, upstream];
    this.pairs.add(pair);
    const teardown = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => {
      if (this.pendingCut === undefined) {
        client.write(chunk);
        return;
      }
      const at = Math.min(this.pendingCut, chunk.length);
      this.pendingCut = undefined;
      this.cuts++;
      client.write(chunk.subarray(0, at), teardown);
    });
    for (const socket of pair) {
      socket.on('error', teardown);
      socket.on('close', teardown);
    }
  }
}
