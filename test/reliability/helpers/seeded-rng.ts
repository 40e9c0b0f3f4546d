/** A small deterministic RNG (mulberry32): a failing run reproduces from its printed seed. */
export interface Rng {
  readonly seed: number;
  /** [0, 1) */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
}

export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
  };
}

/**
 * The seed of a randomised suite: `RELIABILITY_SEED` if set (to replay a failure), else a
 * fresh one. Printed either way, so that any failure can be reproduced.
 */
export function suiteSeed(suite: string): number {
  const fromEnv = process.env.RELIABILITY_SEED;
  const seed = fromEnv ? Number(fromEnv) : Math.floor(Math.random() * 2 ** 31);
  process.stdout.write(`[${suite}] seed ${seed} (replay with RELIABILITY_SEED=${seed})\n`);
  return seed;
}
