/** A Redis stream entry id, `<ms>-<seq>`, as the cursor of every consumer. */
const STREAM_ID = /^(\d{1,16})-(\d{1,16})$/;

export const START_ID = '0-0';

/** Accepts `0` (from the start) and full ids; returns the canonical id, or undefined. */
export function parseStreamId(value: string): string | undefined {
  if (value === '0') return START_ID;
  const match = STREAM_ID.exec(value);
  if (!match) return undefined;
  // 16 digits stay below 2^64 (Redis's limit); leading zeros go.
  const [, ms, seq] = match;
  return `${BigInt(ms!)}-${BigInt(seq!)}`;
}

/** How far past the clock a cursor may point: Redis's clock may run ahead of the app's. */
const CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;

/**
 * A client's cursor, as parseStreamId, or undefined for one that no entry can reach: its
 * time is beyond any clock (a day ahead). Such a stream would wait for entries past it,
 * holding its slot, and skip the queue's end.
 */
export function parseCursorId(value: string, now = Date.now()): string | undefined {
  const id = parseStreamId(value);
  if (id === undefined) return undefined;
  const ms = id.slice(0, id.indexOf('-'));
  return Number(ms) > now + CLOCK_SKEW_MS ? undefined : id;
}

/** Orders two canonical ids: negative, zero or positive like a comparator. */
export function compareStreamIds(a: string, b: string): number {
  if (a === b) return 0;
  const dashA = a.indexOf('-');
  const dashB = b.indexOf('-');
  // Same-length decimal strings compare as numbers; the ms part rarely differs in length.
  const msA = a.slice(0, dashA);
  const msB = b.slice(0, dashB);
  if (msA !== msB) return msA.length !== msB.length ? msA.length - msB.length : msA < msB ? -1 : 1;
  const seqA = a.slice(dashA + 1);
  const seqB = b.slice(dashB + 1);
  return seqA.length !== seqB.length ? seqA.length - seqB.length : seqA < seqB ? -1 : 1;
}
