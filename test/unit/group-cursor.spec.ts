import fc from 'fast-check';
import { DONE, encodeGroupCursor, parseGroupCursor } from '../../lib/http/group/group-cursor.js';

describe('group cursor codec', () => {
  it('joins one part per queue with "." and reads it back', () => {
    const cursor = ['1733000000000-4', '0-0', DONE, '17-12'];
    const text = encodeGroupCursor(cursor);
    expect(text).toBe('1733000000000-4.0-0.done.17-12');
    expect(parseGroupCursor(text, 4)).toEqual(cursor);
  });

  it('reads an empty cursor as the start of every queue', () => {
    expect(parseGroupCursor('', 3)).toEqual(['0-0', '0-0', '0-0']);
  });

  it('canonicalises each part as a stream id ("0", leading zeros)', () => {
    expect(parseGroupCursor('0.007-01', 2)).toEqual(['0-0', '7-1']);
  });

  it.each([
    ['too few parts', '1-0.2-0', 3],
    ['too many parts', '1-0.2-0.3-0', 2],
    ['an empty part', '1-0..3-0', 3],
    ['a part that is not an id', '1-0.x.3-0', 3],
    ['a half id', '1-0.2-.3-0', 3],
    ['another word for done', '1-0.end.3-0', 3],
    ['a trailing separator', '1-0.2-0.', 2],
    ['an id of 17 digits', '12345678901234567-0', 1],
    ['a single id for a group of two', '1-0', 2],
  ])('refuses %s', (_, text, size) => {
    expect(parseGroupCursor(text, size)).toBeUndefined();
  });

  it('round-trips any cursor of valid parts', () => {
    // Any time up to now (a cursor from the future is refused: see the next test).
    const part = fc.oneof(
      fc.constant(DONE),
      fc
        .tuple(
          fc.bigInt({ min: 0n, max: BigInt(Date.now()) }),
          fc.bigInt({ min: 0n, max: 10n ** 15n }),
        )
        .map(([ms, seq]) => `${ms}-${seq}`),
    );
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 16 }), (cursor) => {
        expect(parseGroupCursor(encodeGroupCursor(cursor), cursor.length)).toEqual(cursor);
      }),
    );
  });

  it('refuses a part from beyond any clock: more than a day ahead', () => {
    const day = 24 * 60 * 60 * 1000;
    expect(parseGroupCursor(`${Date.now() + day / 2}-0.done`, 2)).toBeDefined();
    expect(parseGroupCursor(`done.${Date.now() + 2 * day}-0`, 2)).toBeUndefined();
    expect(parseGroupCursor('9999999999999999-0', 1)).toBeUndefined();
  });
});
