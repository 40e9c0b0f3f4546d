/** Base class of every error the module throws. */
export class RtError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A module option is missing or invalid; thrown at startup. */
export class RtOptionsError extends RtError {
  constructor(
    readonly option: string,
    reason: string,
  ) {
    super(`PlutoRtModule option "${option}" ${reason}`);
  }
}

/** A queue name that `createQueueName` could not have made. */
export class RtQueueNameError extends RtError {}

/** Why an item cannot be pushed as JSON. */
export type RtSerializationReason =
  'function' | 'symbol' | 'bigint' | 'undefined' | 'cycle' | 'non-finite number' | 'toJSON failed';

/** An item that is not a JSON value; nothing was written. */
export class RtSerializationError extends RtError {
  constructor(
    readonly reason: RtSerializationReason,
    readonly path: string,
  ) {
    super(`Item is not serialisable to JSON: ${reason} at ${path}`);
  }
}

/** An item whose JSON is over `maxMessageBytes`; nothing was written. */
export class RtMessageTooLargeError extends RtError {
  constructor(
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`Item is ${bytes} bytes as JSON, over the limit of ${maxBytes} (maxMessageBytes)`);
  }
}

/** A placement (`push(item, { target, action })`) that is not one; nothing was written. */
export class RtPlacementError extends RtError {
  constructor(detail: string) {
    super(`Invalid placement: ${detail}`);
  }
}

/** An ending that cannot be stored: an unknown reason, or a message that is not short text. */
export class RtEndError extends RtError {
  constructor(detail: string) {
    super(`Invalid ending: ${detail}`);
  }
}

/** A push onto a queue that was already completed. */
export class RtQueueCompleteError extends RtError {
  constructor(readonly queue: string) {
    super(`Queue ${queue} is complete: it takes no more items`);
  }
}

/** A push onto a queue that holds `maxMessages` items already. */
export class RtQueueFullError extends RtError {
  constructor(
    readonly queue: string,
    readonly maxMessages: number,
  ) {
    super(`Queue ${queue} holds ${maxMessages} items, its limit (maxMessages)`);
  }
}

/** A queue that does not exist (never pushed to, or expired). */
export class RtQueueNotFoundError extends RtError {
  constructor(readonly queue: string) {
    super(`Queue ${queue} does not exist or has expired`);
  }
}

/** Redis could not be reached within the bound; the operation did not happen. */
export class RtRedisUnavailableError extends RtError {
  constructor(
    readonly operation: string,
    cause?: unknown,
  ) {
    super(
      `Redis is unavailable: ${operation} failed` +
        (cause instanceof Error ? ` (${cause.message})` : ''),
      { cause },
    );
  }
}

/**
 * A write that fewer replicas confirmed than `waitForReplicas` asks for, within its
 * timeout. The master has stored it (`id`): a failover now could lose it, and retrying
 * could store it twice.
 */
export class RtNotReplicatedError extends RtError {
  constructor(
    readonly operation: string,
    readonly id: string,
    readonly confirmed: number,
    readonly replicas: number,
    readonly timeoutMs: number,
  ) {
    super(
      `Redis replication: ${operation} ${id} was confirmed by ${confirmed} of ${replicas} replica(s) within ${timeoutMs} ms (waitForReplicas)`,
    );
  }
}

/** An item template name that breaks the rules (`pluto_rt`, no traversal), or no such file. */
export class RtTemplateError extends RtError {
  constructor(
    readonly reason: 'invalid' | 'unknown',
    readonly template: string,
    detail: string,
  ) {
    super(
      `${reason === 'invalid' ? 'Invalid' : 'Unknown'} item template ${JSON.stringify(template.slice(0, 100))}: ${detail}`,
    );
  }
}

/** The reason of a queue handle's `signal` once its page asked to cancel (see RtQueue.signal). */
export class RtCancelledError extends RtError {
  constructor(readonly queue: string) {
    super(`Queue ${queue} was cancelled from its page`);
  }
}
