import type { Redis } from 'ioredis';

/** One connection's answer to PING. */
export interface RtConnectionHealth {
  /** `command` (pushes, reads), `reader` (the shared subscriber) or `waited` (waitForReplicas). */
  connection: 'command' | 'reader' | 'waited';
  /** `host:port` of the node. */
  node: string;
  status: 'up' | 'down';
  /** Round trip of the PING, when it answered. */
  latencyMs?: number;
  /** Why it is down: the client's state, a timeout, or Redis's error. */
  error?: string;
}

/**
 * PINGs `client` and settles within `timeoutMs` however Redis behaves: a hung server (a
 * stopped process keeps its sockets open) answers nothing, and a health endpoint must not
 * hang with it. A client that is not connected is down at once, with nothing queued on it.
 */
export async function pingWithin(
  client: Redis,
  connection: RtConnectionHealth['connection'],
  timeoutMs: number,
): Promise<RtConnectionHealth> {
  const node = nodeOf(client);
  if (client.status !== 'ready') {
    return { connection, node, status: 'down', error: `not connected (${client.status})` };
  }
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer to PING within ${timeoutMs} ms`), timeoutMs);
  });
  const ping = client.ping().then(
    () => undefined,
    (err: unknown) => (err instanceof Error ? err.message : String(err)),
  );
  try {
    const error = await Promise.race([ping, timeout]);
    if (error !== undefined) return { connection, node, status: 'down', error };
    return {
      connection,
      node,
      status: 'up',
      latencyMs: Math.round((performance.now() - started) * 10) / 10,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Where the connection goes: its socket's peer (a Sentinel-resolved master), or its options. */
function nodeOf(client: Redis): string {
  const socket = (client as unknown as { stream?: { remoteAddress?: string; remotePort?: number } })
    .stream;
  if (socket?.remoteAddress) return `${socket.remoteAddress}:${socket.remotePort}`;
  const { host, port, path } = client.options;
  return path ?? `${host ?? '?'}:${port ?? '?'}`;
}
