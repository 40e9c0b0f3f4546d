import {
  RtMessageTooLargeError,
  RtSerializationError,
  type RtSerializationReason,
} from '../errors.js';

/**
 * JSON.stringify that refuses what it would silently drop, mangle or choke on (functions,
 * symbols, BigInt, cycles, NaN) and names where, so a push stores exactly what was given.
 */
export function serializeItem(item: unknown, maxBytes: number): string {
  if (item === undefined) throw new RtSerializationError('undefined', '$');
  validate(item, '$', new Set());
  const json = JSON.stringify(item);
  const bytes = Buffer.byteLength(json);
  if (bytes > maxBytes) throw new RtMessageTooLargeError(bytes, maxBytes);
  return json;
}

function validate(value: unknown, path: string, ancestors: Set<object>): void {
  const reason = invalidReason(value);
  if (reason) throw new RtSerializationError(reason, path);
  if (typeof value !== 'object' || value === null) return;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    let converted: unknown;
    try {
      converted = (value as { toJSON: () => unknown }).toJSON();
    } catch {
      throw new RtSerializationError('toJSON failed', path);
    }
    if (converted !== value) return validate(converted, path, ancestors);
  }
  if (ancestors.has(value)) throw new RtSerializationError('cycle', path);
  ancestors.add(value);
  if (Array.isArray(value)) {
    value.forEach((element, index) => validate(element, `${path}[${index}]`, ancestors));
  } else {
    for (const [key, property] of Object.entries(value)) {
      // JSON omits undefined properties, as it should.
      if (property !== undefined) validate(property, `${path}.${key}`, ancestors);
    }
  }
  ancestors.delete(value);
}

function invalidReason(value: unknown): RtSerializationReason | undefined {
  switch (typeof value) {
    case 'function':
      return 'function';
    case 'symbol':
      return 'symbol';
    case 'bigint':
      return 'bigint';
    case 'number':
      return Number.isFinite(value) ? undefined : 'non-finite number';
    default:
      return undefined;
  }
}
