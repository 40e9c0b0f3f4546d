import { RtQueueNameError } from '../../lib/errors.js';
import { assertQueueName, createQueueName, isValidQueueName } from '../../lib/queue/queue-name.js';

const URL_SAFE = /^[A-Za-z0-9_-]+$/;

describe('createQueueName', () => {
  it('makes rtq_ plus 22 base64url characters (128 random bits, over uuid4 122)', () => {
    const name = createQueueName();
    expect(name).toMatch(/^rtq_[A-Za-z0-9_-]{22}$/);
    const random = name.slice('rtq_'.length);
    // 22 base64url chars carry 132 bits, of which 128 from 16 random bytes.
    expect(Buffer.from(random, 'base64url')).toHaveLength(16);
    expect(Buffer.from(random, 'base64url').length * 8).toBeGreaterThanOrEqual(122);
  });

  it('is URL-safe: encodeURIComponent leaves it unchanged', () => {
    for (let i = 0; i < 200; i++) {
      const name = createQueueName();
      expect(name).toMatch(URL_SAFE);
      expect(encodeURIComponent(name)).toBe(name);
    }
  });

  it('makes 10,000 distinct names', () => {
    const names = new Set(Array.from({ length: 10_000 }, () => createQueueName()));
    expect(names.size).toBe(10_000);
  });

  it('uses every base64url character position randomly (no fixed part after the prefix)', () => {
    // Across 2,000 names each of the 22 positions takes many values; a fixed or counter
    // part would show as a position with one or few values.
    const names = Array.from({ length: 2_000 }, () => createQueueName().slice(4));
    for (let position = 0; position < 21; position++) {
      const seen = new Set(names.map((name) => name[position]));
      expect(seen.size).toBeGreaterThan(50);
    }
  });

  it('takes a custom prefix, and an empty one', () => {
    expect(createQueueName('job-report_1')).toMatch(/^job-report_1_[A-Za-z0-9_-]{22}$/);
    expect(createQueueName('')).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it.each([['a b'], ['a/b'], ['é'], ['x:y'], ['a'.repeat(65)], ['..']])(
    'refuses the prefix %j',
    (prefix) => {
      expect(() => createQueueName(prefix)).toThrow(RtQueueNameError);
    },
  );

  it('refuses a prefix that is not a string', () => {
    expect(() => createQueueName(42 as unknown as string)).toThrow(RtQueueNameError);
  });

  it('makes names that assertQueueName accepts', () => {
    expect(() => assertQueueName(createQueueName('p'))).not.toThrow();
  });
});

describe('assertQueueName / isValidQueueName', () => {
  it.each([[''], ['a b'], ['a/../b'], ['q%20'], ['a'.repeat(201)], ['q:1'], ['q\n']])(
    'refuses %j',
    (name) => {
      expect(isValidQueueName(name)).toBe(false);
      expect(() => assertQueueName(name)).toThrow(RtQueueNameError);
    },
  );

  it('refuses non-strings', () => {
    expect(isValidQueueName(undefined)).toBe(false);
    expect(() => assertQueueName(7)).toThrow(/got number/);
  });

  it('accepts up to 200 URL-safe characters', () => {
    expect(isValidQueueName('a'.repeat(200))).toBe(true);
    expect(isValidQueueName('A-z_0')).toBe(true);
  });
});
