import { compareStreamIds, parseStreamId, START_ID } from '../../lib/store/stream-id.js';

describe('parseStreamId', () => {
  it('reads 0 as the start', () => {
    expect(parseStreamId('0')).toBe(START_ID);
    expect(START_ID).toBe('0-0');
  });

  it('returns canonical ids', () => {
    expect(parseStreamId('1700000000000-0')).toBe('1700000000000-0');
    expect(parseStreamId('0-0')).toBe('0-0');
    expect(parseStreamId('0001-007')).toBe('1-7');
  });

  it('accepts parts of up to 16 digits (ms timestamps have 13)', () => {
    expect(parseStreamId('9999999999999999-9999999999999999')).toBe(
      '9999999999999999-9999999999999999',
    );
  });

  it.each([
    [''],
    ['-'],
    ['1-'],
    ['-1'],
    ['1'],
    ['1-2-3'],
    [' 1-2'],
    ['1-2 '],
    ['a-1'],
    ['1.5-0'],
    ['+1-0'],
    ['-1-0'],
    ['1-0\n'],
    ['12345678901234567-0'],
    ['0-12345678901234567'],
    ['$'],
    ['>'],
    ['+'],
  ])('refuses %j', (value) => {
    expect(parseStreamId(value)).toBeUndefined();
  });
});

describe('compareStreamIds', () => {
  const sign = (a: string, b: string) => Math.sign(compareStreamIds(a, b));

  it('orders by ms, then by seq, numerically (not as strings)', () => {
    expect(sign('1-0', '1-0')).toBe(0);
    expect(sign('1-0', '2-0')).toBe(-1);
    expect(sign('2-0', '1-0')).toBe(1);
    expect(sign('9-0', '10-0')).toBe(-1);
    expect(sign('10-0', '9-0')).toBe(1);
    expect(sign('5-9', '5-10')).toBe(-1);
    expect(sign('5-10', '5-9')).toBe(1);
    expect(sign('5-2', '5-1')).toBe(1);
    expect(sign('0-0', '0-1')).toBe(-1);
    expect(sign('1-999', '2-0')).toBe(-1);
    expect(sign('1700000000000-5', '1700000000001-0')).toBe(-1);
  });

  it('sorts a shuffled list like BigInt comparison does', () => {
    const ids = [
      '0-0',
      '0-1',
      '1-0',
      '9-9',
      '10-0',
      '10-1',
      '10-10',
      '99-0',
      '100-0',
      '1700000000000-3',
      '1700000000000-12',
    ];
    const shuffled = [...ids].reverse();
    shuffled.sort(compareStreamIds);
    expect(shuffled).toEqual(ids);
  });

  it('agrees with a BigInt reference on random canonical ids', () => {
    const big = (id: string) => id.split('-').map(BigInt) as [bigint, bigint];
    const reference = (a: string, b: string) => {
      const [ma, sa] = big(a);
      const [mb, sb] = big(b);
      return ma !== mb ? (ma < mb ? -1 : 1) : sa === sb ? 0 : sa < sb ? -1 : 1;
    };
    const random = () =>
      `${Math.floor(Math.random() ** 3 * 1e13)}-${Math.floor(Math.random() ** 4 * 1000)}`;
    for (let i = 0; i < 2_000; i++) {
      const a = parseStreamId(random())!;
      const b = i % 10 === 0 ? a : parseStreamId(random())!;
      expect([a, b, sign(a, b)]).toEqual([a, b, reference(a, b)]);
    }
  });
});
