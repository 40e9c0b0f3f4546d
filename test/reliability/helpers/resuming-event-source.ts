import { EventSource, type FetchLike } from 'eventsource';

export interface ReceivedMessage {
  id: string;
  data: string;
}

/** One request the EventSource made, and what it had received before making it. */
export interface SourceRequest {
  lastEventIdHeader: string | null;
  lastReceivedId: string | null;
}

/**
 * The `eventsource` package's client, recording every message, close event and request.
 * The module sends no `retry:` field and the package waits 3 s before reconnecting unless
 * told otherwise, so the fetch it is given prefixes each event stream with `retry: <ms>`
 * (the client-side equivalent of a server `retry:`), which keeps the reconnect tests fast.
 */
export class ResumingEventSource {
  readonly es: EventSource;
  readonly messages: ReceivedMessage[] = [];
  readonly requests: SourceRequest[] = [];
  closeData: string | undefined;
  errors = 0;
  private readonly watchers = new Set<() => void>();

  constructor(url: string, options: { retryMs?: number; headers?: Record<string, string> } = {}) {
    const retry = new TextEncoder().encode(`retry: ${options.retryMs ?? 20}\n\n`);
    const fastRetryFetch: FetchLike = async (input, init) => {
      this.requests.push({
        lastEventIdHeader: init.headers['Last-Event-ID'] ?? null,
        lastReceivedId: this.messages.at(-1)?.id ?? null,
      });
      const response = await fetch(input, {
        ...init,
        headers: { ...init.headers, ...options.headers },
      });
      if (!response.body || !response.headers.get('content-type')?.startsWith('text/event-stream'))
        return response;
      const body = response.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          start: (controller) => controller.enqueue(retry),
        }),
      );
      return new Response(body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    };
    this.es = new EventSource(url, { fetch: fastRetryFetch });
    this.es.addEventListener('message', (event) => {
      this.messages.push({ id: event.lastEventId, data: String(event.data) });
      this.notify();
    });
    this.es.addEventListener('close', (event) => {
      this.closeData = String(event.data);
      this.es.close();
      this.notify();
    });
    this.es.addEventListener('error', () => {
      this.errors++;
      this.notify();
    });
  }

  /** Resolves with the first truthy value of `check`, tested on every event. */
  until<T>(check: () => T, what: string, timeoutMs = 15_000): Promise<NonNullable<T>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.watchers.delete(watcher);
        reject(
          new Error(
            `Timed out after ${timeoutMs} ms waiting for ${what} (${this.messages.length} message(s), ${this.requests.length} request(s), ${this.errors} error(s))`,
          ),
        );
      }, timeoutMs);
      const watcher = () => {
        const value = check();
        if (!value) return;
        clearTimeout(timer);
        this.watchers.delete(watcher);
        resolve(value as NonNullable<T>);
      };
      this.watchers.add(watcher);
      watcher();
    });
  }

  /** Waits for the server's `event: close` (the source is closed on it). */
  untilClosed(timeoutMs?: number): Promise<string> {
    return this.until(() => this.closeData, 'event: close', timeoutMs);
  }

  close(): void {
    this.es.close();
  }

  private notify(): void {
    for (const watcher of [...this.watchers]) watcher();
  }
}

/** Lost and repeated items of a received sequence against the expected one (by id). */
export function deliveryReport(expected: string[], received: string[]) {
  const want = new Set(expected);
  const seen = new Map<string, number>();
  for (const id of received) seen.set(id, (seen.get(id) ?? 0) + 1);
  const lost = expected.filter((id) => !seen.has(id)).length;
  const duplicated = [...seen.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  const unexpected = received.filter((id) => !want.has(id)).length;
  const inOrder = received.every((id, i) => i === 0 || compareIds(received[i - 1]!, id) < 0);
  return {
    pushed: expected.length,
    received: received.length,
    lost,
    duplicated,
    unexpected,
    inOrder,
  };
}

function compareIds(a: string, b: string): number {
  const [ams, aseq] = a.split('-').map(Number) as [number, number];
  const [bms, bseq] = b.split('-').map(Number) as [number, number];
  return ams !== bms ? ams - bms : aseq - bseq;
}
