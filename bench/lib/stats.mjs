// Summaries of latency samples (milliseconds).

const POINTS = [0, 10, 25, 50, 75, 90, 95, 99, 99.9, 100];

/** Percentiles (nearest rank) of `samples`, a Float64Array or array of ms; null when empty. */
export function summarize(samples) {
  const sorted = Float64Array.from(samples).sort();
  if (sorted.length === 0) return null;
  const at = (p) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  let sum = 0;
  for (const value of sorted) sum += value;
  const percentiles = Object.fromEntries(POINTS.map((p) => [`p${p}`, round(at(p))]));
  return { count: sorted.length, mean: round(sum / sorted.length), ...percentiles };
}

export function median(values) {
  return summarize(values)?.p50 ?? null;
}

export function round(value, digits = 4) {
  if (value === null || value === undefined || !Number.isFinite(value)) return value ?? null;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
