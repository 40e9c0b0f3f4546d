export interface DeliveryReport {
  pushed: number;
  received: number;
  lost: number;
  duplicated: number;
  unexpected: number;
  inOrder: boolean;
}

/** Lost and repeated items of a received sequence against the expected one (by id). */
export function deliveryReport(expected: string[], received: string[]): DeliveryReport {
  const want = new Set(expected);
  const seen = new Map<string, number>();
  for (const id of received) seen.set(id, (seen.get(id) ?? 0) + 1);
  const lost = expected.filter((id) => !seen.has(id)).length;
  const duplicated = [...seen.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  const unexpected = received.filter((id) => !want.has(id)).length;
  const inOrder = received.every((id, i) => i === 0 || compareIds(received[i - 1]!, id) < 0);
  return {
    pushed: expected.length,
    received: received.length,
    lost,
    duplicated,
    unexpected,
    inOrder,
  };
}

function compareIds(a: string, b: string): number {
  const [ams, aseq] = a.split('-').map(Number) as [number, number];
  const [bms, bseq] = b.split('-').map(Number) as [number, number];
  return ams !== bms ? ams - bms : aseq - bseq;
}

/** The report of `count` items each delivered exactly once, in order. */
export function exactlyOnceInOrder(count: number): DeliveryReport {
  return { pushed: count, received: count, lost: 0, duplicated: 0, unexpected: 0, inOrder: true };
}
