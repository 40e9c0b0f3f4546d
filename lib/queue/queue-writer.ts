/**
 * What an `RtQueue` writes through: the Redis stream store in the module, an in-memory
 * store in `nestjs-pluto-rt/testing`. Both take items already serialised by `RtQueue`, so
 * validation and its errors are the same code in either.
 */
export interface QueueWriter {
  /** Appends serialised `json`; resolves to its entry id. */
  push(name: string, json: string): Promise<string>;
  /**
   * Appends serialised `json` if `position` is past the queue's told position (whoever told
   * it), which it becomes: its entry id, or undefined when it was not.
   */
  pushTold(name: string, json: string, position: number): Promise<string | undefined>;
  /** Appends the end marker (once) holding `ending`, as queue/end-reason stores it. */
  complete(name: string, ending: string): Promise<unknown>;
}
