import { EventSource, type FetchLike } from 'eventsource';
import { ChangeWaiters } from '../../helpers/change-waiters.js';

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
 * The `eventsource` package's client, recording every message, close event and request
 * (with the Last-Event-ID it sent). Reconnects are as fast as the server's `retry:` field
 * says: start the app with a small `sseRetryMs`.
 */
export class ResumingEventSource {
  readonly es: EventSource;
  readonly messages: ReceivedMessage[] = [];
  readonly requests: SourceRequest[] = [];
  closeData: string | undefined;
  errors = 0;
  private readonly changes = new ChangeWaiters();

  constructor(url: string, options: { headers?: Record<string, string> } = {}) {
    const recordingFetch: FetchLike = (input, init) => {
      this.requests.push({
        lastEventIdHeader: init.headers['Last-Event-ID'] ?? null,
        lastReceivedId: this.messages.at(-1)?.id ?? null,
      });
      return fetch(input, { ...init, headers: { ...init.headers, ...options.headers } });
    };
    this.es = new EventSource(url, { fetch: recordingFetch });
    this.es.addEventListener('message', (event) => {
      this.messages.push({ id: event.lastEventId, data: String(event.data) });
      this.changes.notify();
    });
    this.es.addEventListener('close', (event) => {
      this.closeData = String(event.data);
      this.es.close();
      this.changes.notify();
    });
    this.es.addEventListener('error', () => {
      this.errors++;
      this.changes.notify();
    });
  }

  /** Resolves with the first truthy value of `check`, tested on every event. */
  until<T>(check: () => T, what: string, timeoutMs = 15_000): Promise<NonNullable<T>> {
    return this.changes.until(
      check,
      timeoutMs,
      () =>
        `Timed out after ${timeoutMs} ms waiting for ${what} (${this.messages.length} message(s), ${this.requests.length} request(s), ${this.errors} error(s))`,
    );
  }

  /** Waits for the server's `event: close` (the source is closed on it). */
  untilClosed(timeoutMs?: number): Promise<string> {
    return this.until(() => this.closeData, 'event: close', timeoutMs);
  }

  close(): void {
    this.es.close();
  }
}
