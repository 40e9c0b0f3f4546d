import http from 'node:http';
import { EventSource, type FetchLike } from 'eventsource';
import { ChangeWaiters } from './change-waiters.js';
import { isEvent, parseSseBlock, type SseBlock } from './sse-parse.js';

export interface RawSseOptions {
  headers?: Record<string, string>;
  agent?: http.Agent;
  /** Rejects when the response headers do not arrive in time. @default 10_000 */
  timeoutMs?: number;
}

/**
 * A raw SSE client over node:http: records the status, headers, the raw text and every
 * parsed block, and can wait for a condition on them or be destroyed mid-stream (a tab
 * that closes). Not an EventSource: it never reconnects.
 */
export class RawSseClient {
  raw = '';
  readonly blocks: SseBlock[] = [];
  ended = false;
  private buffer = '';
  private readonly changes = new ChangeWaiters();

  private constructor(
    readonly request: http.ClientRequest,
    readonly response: http.IncomingMessage,
  ) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => this.onChunk(chunk));
    const onEnd = () => {
      this.ended = true;
      this.changes.notify();
    };
    response.on('end', onEnd);
    response.on('close', onEnd);
    response.on('error', () => undefined);
  }

  /** Opens `url` and resolves once the response headers have arrived (any status). */
  static open(url: string, options: RawSseOptions = {}): Promise<RawSseClient> {
    return new Promise((resolve, reject) => {
      const request = http.get(
        url,
        { headers: { Accept: 'text/event-stream', ...options.headers }, agent: options.agent },
        (response) => {
          clearTimeout(timer);
          resolve(new RawSseClient(request, response));
        },
      );
      const timer = setTimeout(() => {
        request.destroy();
        reject(
          new Error(`No response headers from ${url} within ${options.timeoutMs ?? 10_000} ms`),
        );
      }, options.timeoutMs ?? 10_000);
      request.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  get status(): number {
    return this.response.statusCode ?? 0;
  }

  get headers(): http.IncomingHttpHeaders {
    return this.response.headers;
  }

  /** Blocks that carry an event (data or an event name): items and close events. */
  get events(): SseBlock[] {
    return this.blocks.filter(isEvent);
  }

  /** Item events: data without an `event:` line. */
  get items(): SseBlock[] {
    return this.events.filter((block) => block.event === undefined);
  }

  get comments(): string[] {
    return this.blocks.flatMap((block) => block.comments);
  }

  /** Resolves with the first truthy value of `check`, tested on every chunk (no polling). */
  until<T>(check: () => T, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
    return this.changes.until(
      () => {
        const value = check();
        if (!value && this.ended)
          throw new Error(`The stream ended while waiting for ${what}; got:\n${this.raw}`);
        return value;
      },
      timeoutMs,
      () => `Timed out after ${timeoutMs} ms waiting for ${what}; got:\n${this.raw}`,
    );
  }

  /**
   * The list items the item events carry (test/fixtures/views/pluto_rt/list_item.hbs: one
   * `<li class="item" data-n>` each), in order, with the id of the event that carried each:
   * items that arrive together come in one event (a merged burst).
   */
  get listItems(): Array<{ eventId: string | undefined; n: number; html: string }> {
    return this.items.flatMap((block) =>
      [...(block.data ?? '').matchAll(/<li class="item" data-n="(-?\d+)">.*?<\/li>/g)].map((m) => ({
        eventId: block.id,
        n: Number(m[1]),
        html: m[0],
      })),
    );
  }

  /** Waits for `count` list items (see listItems). */
  untilListItems(count: number, timeoutMs?: number): Promise<RawSseClient['listItems']> {
    return this.until(
      () => (this.listItems.length >= count ? this.listItems : undefined),
      `${count} list item(s)`,
      timeoutMs,
    );
  }

  /** Waits for `count` item events. */
  untilItems(count: number, timeoutMs?: number): Promise<SseBlock[]> {
    return this.until(
      () => (this.items.length >= count ? this.items : undefined),
      `${count} item event(s)`,
      timeoutMs,
    );
  }

  /** Waits for the server to end the response. */
  async untilEnd(timeoutMs = 10_000): Promise<void> {
    await this.changes.until(
      () => this.ended,
      timeoutMs,
      () => `Timed out after ${timeoutMs} ms waiting for the response to end; got:\n${this.raw}`,
    );
  }

  /** Drops the connection from the client side, like a closed tab. */
  destroy(): void {
    this.request.destroy();
    this.response.destroy();
  }

  private onChunk(chunk: string): void {
    this.raw += chunk;
    this.buffer += chunk.replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) !== -1) {
      const text = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      if (text !== '') this.blocks.push(parseSseBlock(text));
    }
    // A lone leading blank line (sent with the headers) is not a block.
    if (this.buffer === '\n') this.buffer = '';
    this.changes.notify();
  }
}

/**
 * Opens a raw stream on each of `urls`, `wave` of them at a time (all at once by default),
 * and resolves once every one has its first item. Each client joins `keep` as soon as it is
 * open, so that the caller can destroy it even when another one fails.
 */
export async function openStreamsWithHistory(
  urls: string[],
  keep: RawSseClient[],
  options: RawSseOptions & { wave?: number } = {},
): Promise<RawSseClient[]> {
  const { wave = urls.length, ...openOptions } = options;
  const opened: RawSseClient[] = [];
  for (let first = 0; first < urls.length; first += wave) {
    const results = await Promise.allSettled(
      urls.slice(first, first + wave).map(async (url) => {
        const client = await RawSseClient.open(url, openOptions);
        keep.push(client);
        await client.untilItems(1);
        return client;
      }),
    );
    for (const result of results) {
      if (result.status === 'rejected') throw result.reason;
      opened.push(result.value);
    }
  }
  return opened;
}

/** An event an EventSource dispatched. */
export interface ReceivedEvent {
  type: string;
  data: string;
  lastEventId: string;
}

/**
 * The `eventsource` package's client, recording what it received and every request it
 * made (with its Last-Event-ID header), so that reconnects can be checked.
 */
export class EventSourceClient {
  readonly es: EventSource;
  readonly messages: ReceivedEvent[] = [];
  readonly closeEvents: ReceivedEvent[] = [];
  /** Last-Event-ID header of each request, in order (null when absent). */
  readonly requests: Array<string | null> = [];
  errors = 0;
  /** Ids of the last message before each error (a dropped connection), in order. */
  readonly lastIdAtErrors: Array<string | undefined> = [];
  private readonly changes = new ChangeWaiters();

  /** `closeOnCloseEvent` closes the source on `event: close`, like htmx's sse-close. */
  constructor(
    url: string,
    options: { headers?: Record<string, string>; closeOnCloseEvent?: boolean } = {},
  ) {
    const fetchWithHeaders: FetchLike = (input, init) => {
      this.requests.push(init.headers['Last-Event-ID'] ?? null);
      this.changes.notify();
      return fetch(input, { ...init, headers: { ...init.headers, ...options.headers } });
    };
    this.es = new EventSource(url, { fetch: fetchWithHeaders });
    this.es.addEventListener('message', (event) => {
      this.messages.push({
        type: event.type,
        data: String(event.data),
        lastEventId: event.lastEventId,
      });
      this.changes.notify();
    });
    this.es.addEventListener('close', (event) => {
      this.closeEvents.push({
        type: event.type,
        data: String(event.data),
        lastEventId: event.lastEventId,
      });
      if (options.closeOnCloseEvent ?? true) this.es.close();
      this.changes.notify();
    });
    this.es.addEventListener('error', () => {
      this.errors++;
      this.lastIdAtErrors.push(this.messages.at(-1)?.lastEventId);
      this.changes.notify();
    });
  }

  /** Resolves with the first truthy value of `check`, tested on every event (no polling). */
  until<T>(check: () => T, what: string, timeoutMs = 15_000): Promise<NonNullable<T>> {
    return this.changes.until(
      check,
      timeoutMs,
      () =>
        `Timed out after ${timeoutMs} ms waiting for ${what} (${this.messages.length} message(s), requests ${JSON.stringify(this.requests)})`,
    );
  }

  close(): void {
    this.es.close();
  }
}
