import { randomBytes } from 'node:crypto';
import { RtQueueNameError } from '../errors.js';

/** Letters, digits, `_` and `-`: URL-safe, and no Redis key or channel surprises. */
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,200}$/;
const NAME_PREFIX = /^[A-Za-z0-9_-]{0,64}$/;

/** `<prefix>_<22 base64url chars>`: 128 random bits, more than uuid4's 122. */
export function createQueueName(prefix = 'rtq'): string {
  if (typeof prefix !== 'string' || !NAME_PREFIX.test(prefix)) {
    throw new RtQueueNameError(
      `Queue name prefix must be 0-64 of [A-Za-z0-9_-], got ${JSON.stringify(prefix)}`,
    );
  }
  const random = randomBytes(16).toString('base64url');
  return prefix ? `${prefix}_${random}` : random;
}

export function isValidQueueName(name: unknown): name is string {
  return typeof name === 'string' && QUEUE_NAME.test(name);
}

export function assertQueueName(name: unknown): asserts name is string {
  if (!isValidQueueName(name)) {
    throw new RtQueueNameError(
      `Invalid queue name: expected 1-200 of [A-Za-z0-9_-], got ${describe(name)}`,
    );
  }
}

function describe(value: unknown): string {
  if (typeof value !== 'string') return typeof value;
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
}
