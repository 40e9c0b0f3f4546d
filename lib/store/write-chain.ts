/** Items that one push script call takes at most: its run blocks Redis, its reply is one array. */
export const MAX_PUSH_BATCH = 512;

/** One caller's outcome of a chained write: its entry id, undefined, or its error. */
export type WriteResult = string | undefined | Error;

/** A write waiting for its turn: a batch of pushes, a push told once, or the end marker. */
export interface ChainedWrite {
  kind: 'push' | 'told' | 'complete';
  /**
   * The items of a push batch, in call order; for a told push, its item and its position;
   * for a completion, its stored ending alone.
   */
  jsons: string[];
  /** When its first caller must have heard back (epoch ms). */
  deadline: number;
}

interface Caller {
  resolve: (value: string | undefined) => void;
  reject: (err: unknown) => void;
}

interface Waiting extends ChainedWrite {
  callers: Caller[];
}

/** One queue's writes: the one sent and not yet settled, and those behind it. */
interface Line {
  busy: boolean;
  waiting: Waiting[];
}

/**
 * Sends a write: resolves to one result per caller (a push batch: per item; a completion:
 * one), or rejects for all of them.
 */
export type SendWrite = (name: string, write: ChainedWrite) => Promise<WriteResult[]>;

/**
 * The writes to each queue, sent one at a time in call order: a write goes to Redis once
 * the one before it has settled. Nothing a write meets on the way (a lost script cache, a
 * retry after CLUSTERDOWN, a redirection, a reconnect) can then put a later call ahead of
 * it. Pushes called meanwhile wait together and go as one script call, so a job that pushes
 * faster than Redis answers costs one round trip per batch, not per item; pushes called in
 * one run of code (none awaited before the next) go together from the start, and a lone
 * push is sent at once. Each write keeps the deadline of its first caller.
 */
export class WriteChain {
  private readonly lines = new Map<string, Line>();

  /** `maxBatch` 1 sends every push on its own. */
  constructor(
    private readonly send: SendWrite,
    private readonly maxBatch: number,
  ) {}

  /** Resolves to the item's entry id, or undefined when the queue was full before it. */
  push(name: string, json: string, deadline: number): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const line = this.lineOf(name);
      const last = line.waiting.at(-1);
      if (last?.kind === 'push' && last.jsons.length < this.maxBatch) {
        last.jsons.push(json);
        last.callers.push({ resolve, reject });
      } else {
        this.add(name, line, {
          kind: 'push',
          jsons: [json],
          deadline,
          callers: [{ resolve, reject }],
        });
      }
    });
  }

  /**
   * Pushes `json` if `position` is past the queue's told position (whoever told it): resolves
   * to its id, or undefined when it was not (see lua-scripts CLAIM).
   */
  pushTold(
    name: string,
    json: string,
    position: number,
    deadline: number,
  ): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const write = { kind: 'told' as const, jsons: [json, String(position)], deadline };
      this.add(name, this.lineOf(name), { ...write, callers: [{ resolve, reject }] });
    });
  }

  /** Appends the end marker holding `ending` (see queue/end-reason); resolves to its id. */
  complete(name: string, ending: string, deadline: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const callers = [{ resolve: resolve as Caller['resolve'], reject }];
      const write = { kind: 'complete' as const, jsons: [ending], deadline, callers };
      this.add(name, this.lineOf(name), write);
    });
  }

  private lineOf(name: string): Line {
    let line = this.lines.get(name);
    if (!line) this.lines.set(name, (line = { busy: false, waiting: [] }));
    return line;
  }

  private add(name: string, line: Line, write: Waiting): void {
    line.waiting.push(write);
    // The first write of an idle line leaves at the end of the code that called it, with
    // the pushes called along with it.
    if (!line.busy && line.waiting.length === 1) queueMicrotask(() => this.next(name, line));
  }

  private next(name: string, line: Line): void {
    const write = line.waiting.shift();
    if (!write) {
      line.busy = false;
      if (this.lines.get(name) === line) this.lines.delete(name);
      return;
    }
    line.busy = true;
    const { callers } = write;
    this.send(name, write).then(
      (results) => {
        callers.forEach((caller, i) => {
          const result = results[i];
          if (result instanceof Error) caller.reject(result);
          else caller.resolve(result);
        });
        this.next(name, line);
      },
      (err: unknown) => {
        for (const caller of callers) caller.reject(err);
        this.next(name, line);
      },
    );
  }
}
