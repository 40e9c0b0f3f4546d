/**
 * What an `RtQueue` writes through: the Redis stream store in the module, an in-memory
 * store in `nestjs-pluto-rt/testing`. Both take items already serialised by `RtQueue`, so
 * validation and its errors are the same code in either.
 */
export interface QueueWriter {
  /** Appends serialised `json`; resolves to its entry id. */
  push(name: string, json: string): Promise<string>;
  /** Appends the end marker (once). */
  complete(name: string): Promise<unknown>;
}
