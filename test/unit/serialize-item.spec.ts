import { RtMessageTooLargeError, RtSerializationError } from '../../lib/errors.js';
import { serializeItem } from '../../lib/queue/serialize-item.js';

const LIMIT = 65_536;

/** Calls serializeItem and returns the RtSerializationError it throws (fails if none). */
function rejection(item: unknown): RtSerializationError {
  try {
    serializeItem(item, LIMIT);
  } catch (err) {
    expect(err).toBeInstanceOf(RtSerializationError);
    return err as RtSerializationError;
  }
  throw new Error('serializeItem accepted the item');
}

describe('serializeItem', () => {
  describe('rejects what JSON would drop or mangle, naming reason and path', () => {
    it.each<[string, unknown, RtSerializationError['reason'], string]>([
      ['a top-level function', () => 1, 'function', '$'],
      ['a nested function', { a: { run: () => 1 } }, 'function', '$.a.run'],
      ['a symbol in an array', [1, Symbol('s')], 'symbol', '$[1]'],
      ['a BigInt', { n: 10n }, 'bigint', '$.n'],
      ['NaN', { x: [0, NaN] }, 'non-finite number', '$.x[1]'],
      ['Infinity', { x: Infinity }, 'non-finite number', '$.x'],
      ['-Infinity at the top', -Infinity, 'non-finite number', '$'],
      ['top-level undefined', undefined, 'undefined', '$'],
    ])('%s', (_what, item, reason, path) => {
      const err = rejection(item);
      expect(err.reason).toBe(reason);
      expect(err.path).toBe(path);
      expect(err.message).toContain(reason);
      expect(err.message).toContain(path);
    });

    it('a cycle through an object', () => {
      const item: Record<string, unknown> = { a: { b: {} } };
      (item.a as { b: Record<string, unknown> }).b.back = item;
      const err = rejection(item);
      expect(err.reason).toBe('cycle');
      expect(err.path).toBe('$.a.b.back');
    });

    it('a cycle through an array', () => {
      const list: unknown[] = [1];
      list.push({ list });
      const err = rejection({ list });
      expect(err.reason).toBe('cycle');
      expect(err.path).toBe('$.list[1].list');
    });

    it('a toJSON that throws', () => {
      const err = rejection({
        when: {
          toJSON() {
            throw new Error('boom');
          },
        },
      });
      expect(err.reason).toBe('toJSON failed');
      expect(err.path).toBe('$.when');
    });

    it('a toJSON that returns something unserialisable', () => {
      const err = rejection({ v: { toJSON: () => 5n } });
      expect(err.reason).toBe('bigint');
      expect(err.path).toBe('$.v');
    });
  });

  describe('accepts JSON values', () => {
    it('serialises a Date through its toJSON', () => {
      const date = new Date('2024-01-02T03:04:05.678Z');
      expect(serializeItem({ at: date }, LIMIT)).toBe('{"at":"2024-01-02T03:04:05.678Z"}');
    });

    it('keeps nested objects, arrays, strings, numbers, booleans and null exactly', () => {
      const item = {
        a: [1, -2.5, 'x', true, false, null, { b: { c: ['<b>', '"q"', 'é😀'] } }],
        n: 0,
      };
      const json = serializeItem(item, LIMIT);
      expect(JSON.parse(json)).toEqual(item);
    });

    it('omits undefined properties, as JSON does', () => {
      expect(serializeItem({ a: 1, b: undefined }, LIMIT)).toBe('{"a":1}');
    });

    it('accepts the same object twice when it is not a cycle', () => {
      const shared = { s: 1 };
      expect(serializeItem({ x: shared, y: [shared, shared] }, LIMIT)).toBe(
        '{"x":{"s":1},"y":[{"s":1},{"s":1}]}',
      );
    });

    it('accepts top-level primitives', () => {
      expect(serializeItem('hi', LIMIT)).toBe('"hi"');
      expect(serializeItem(0, LIMIT)).toBe('0');
      expect(serializeItem(null, LIMIT)).toBe('null');
    });
  });

  describe('size limit', () => {
    it('rejects an item over maxBytes with RtMessageTooLargeError, counting UTF-8 bytes', () => {
      // 'é' is 2 bytes: 10 of them plus the quotes make 22 bytes in 12 characters.
      const item = 'é'.repeat(10);
      expect(serializeItem(item, 22)).toBe(JSON.stringify(item));
      let caught: unknown;
      try {
        serializeItem(item, 21);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(RtMessageTooLargeError);
      expect((caught as RtMessageTooLargeError).bytes).toBe(22);
      expect((caught as RtMessageTooLargeError).maxBytes).toBe(21);
      expect((caught as Error).message).toContain('maxMessageBytes');
    });
  });
});
