/**
 * The counters of `RtQueueService.stats()` that are not back to 0. Every counter is checked,
 * including any the library adds later: `{}` means the module holds nothing.
 */
export function busyCounters(stats: object): Record<string, number> {
  return Object.fromEntries(Object.entries(stats).filter(([, value]) => value !== 0)) as Record<
    string,
    number
  >;
}
