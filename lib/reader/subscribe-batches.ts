/** A change of the reader's subscriptions. */
export type SubscriptionOp = 'subscribe' | 'unsubscribe';

interface Group {
  op: SubscriptionOp;
  channels: string[];
  waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }>;
}

/**
 * Subscriptions and unsubscriptions asked for in one turn of the event loop go to Redis as
 * one command per run of the same kind, in call order (an unsubscription and a later
 * subscription of one channel stay in that order): a storm of pages that reconnect at
 * once (a deploy) costs a few commands, not one per queue. For one server: a cluster's
 * sharded channels of different slots cannot share a command.
 */
export class SubscribeBatches {
  private groups: Group[] = [];
  private scheduled = false;

  constructor(
    private readonly send: (op: SubscriptionOp, channels: string[]) => Promise<unknown>,
  ) {}

  add(op: SubscriptionOp, channel: string): Promise<void> {
    return new Promise((resolve, reject) => {
      let last = this.groups.at(-1);
      if (last?.op !== op) this.groups.push((last = { op, channels: [], waiters: [] }));
      last.channels.push(channel);
      last.waiters.push({ resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const groups = this.groups;
    this.groups = [];
    for (const { op, channels, waiters } of groups) {
      this.send(op, channels).then(
        () => waiters.forEach((waiter) => waiter.resolve()),
        (err: unknown) => waiters.forEach((waiter) => waiter.reject(err)),
      );
    }
  };
}
