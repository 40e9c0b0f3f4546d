import { RtOptionsError } from '../errors.js';
import { didYouMean } from '../text/nearest-name.js';

/**
 * A misspelt or misplaced option would be ignored in silence: name the first one instead,
 * and the known one it resembles.
 */
export function refuseUnknownKeys(
  value: object,
  known: ReadonlySet<string>,
  path: string,
  hint: (key: string) => string = () => '',
): void {
  const unknown = Object.keys(value).find((key) => !known.has(key));
  if (unknown !== undefined) {
    const reason = `is not a known option${hint(unknown) || didYouMean(unknown, known)}`;
    throw new RtOptionsError(`${path}${unknown}`, reason);
  }
}

export function checkObject(name: string, value: unknown): object {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new RtOptionsError(name, 'must be an object');
  return value;
}

export function checkString(name: string, value: unknown, pattern: RegExp): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new RtOptionsError(
      name,
      `must be a string matching ${pattern}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean')
    throw new RtOptionsError(name, `must be a boolean, got ${JSON.stringify(value)}`);
  return value;
}

export function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RtOptionsError(
      name,
      `must be an integer from ${min} to ${max}, got ${String(value)}`,
    );
  }
  return value;
}

export function checkOneOf<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new RtOptionsError(
      name,
      `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}
