/**
 * HTML events may each carry several items (the module merges the items ready together into
 * one event, whose id is its last item's). These helpers give the items of such events, one
 * by one, for the suites that count deliveries per item.
 */

/** The `n` of every list item (list_item.hbs: `data-n`) in `data`, in order. */
export function itemNs(data: string | undefined): number[] {
  return [...(data ?? '').matchAll(/data-n="(-?\d+)"/g)].map((m) => Number(m[1]));
}

/**
 * Every item the events carried, in order, each with its entry id (`idOf(n)`, from the
 * pushes or the stream). An event whose id is not its last item's gives that item the
 * event's id instead, which no push has: a delivery report counts it as unexpected.
 */
export function itemsOfEvents(
  events: ReadonlyArray<{ id?: string; data?: string }>,
  idOf: (n: number) => string | undefined,
): Array<{ n: number; id: string }> {
  return events.flatMap((event) => {
    const ns = itemNs(event.data);
    return ns.map((n, i) => {
      const id = idOf(n);
      const last = i === ns.length - 1;
      return { n, id: last && id !== event.id ? `${event.id ?? 'none'}` : (id ?? `n${n}`) };
    });
  });
}
