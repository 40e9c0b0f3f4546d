/** Pushes that one script call takes at most: its run blocks Redis, its reply is one array. */
export const MAX_PUSH_BATCH = 512;

interface Batch {
  jsons: string[];
  ids: Promise<unknown>;
}

/**
 * Pushes to one queue that are called together (in one run of code, none awaited before
 * the next: a job reporting many items at once) go to Redis as one script call. A batch is
 * open for the rest of the code that made its first push (it closes at the next microtask,
 * before its script is sent, which happens at the same point of the event loop as a lone
 * push's would): a lone push costs what it did, a push never waits on a batch made before
 * it (while Redis is away, each has its own commandTimeoutMs), and the order of writes to a
 * queue (completions included) is the order of the calls. Per push, Redis then
 * runs one XADD and one publish instead of a whole script, and the process sends one
 * command instead of one each.
 */
export class PushBatches {
  private readonly open = new Map<string, Batch>();

  /** `limit` 1 sends every push on its own. */
  constructor(private readonly limit: number) {}

  /**
   * Adds `json` to queue `name`'s open batch, or opens one and calls `send` for it at once;
   * `send` reads the batch's items with `take` when it sends them (then the batch is closed)
   * and resolves to the script's reply, the ids of the items it took, in order. Resolves to
   * this item's id, or undefined when the queue was full before this item.
   */
  add(
    name: string,
    json: string,
    send: (take: () => string[]) => Promise<unknown>,
  ): Promise<string | undefined> {
    let batch = this.open.get(name);
    if (!batch) {
      const jsons: string[] = [];
      const opened: Batch = { jsons, ids: Promise.resolve() };
      this.open.set(name, opened);
      queueMicrotask(() => this.close(name, opened));
      opened.ids = send(() => {
        this.close(name, opened);
        return jsons;
      });
      batch = opened;
    }
    const index = batch.jsons.push(json) - 1;
    if (batch.jsons.length >= this.limit) this.close(name, batch);
    return batch.ids.then((ids) => (ids as string[])[index]);
  }

  /** Later pushes to `name` go in a new batch (after a completion, which they must follow). */
  close(name: string, batch = this.open.get(name)): void {
    if (batch && this.open.get(name) === batch) this.open.delete(name);
  }
}
