/**
 * The known name that `given` was most likely meant to be, for a "did you mean" hint: the
 * same letters in another case or spelling (`itemTemplate` for `item_template`), or one within
 * two edits (`templateDir` for `templatesDir`). Undefined when none is that close.
 */
export function nearestName(given: string, known: Iterable<string>): string | undefined {
  const bare = letters(given);
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    if (letters(name) === bare) return name;
    const distance = editDistance(given.toLowerCase(), name.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** ` (did you mean "x"?)`, or '' when no known name is close. */
export function didYouMean(given: string, known: Iterable<string>): string {
  const name = nearestName(given, known);
  return name === undefined ? '' : ` (did you mean "${name}"?)`;
}

function letters(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Levenshtein distance; names are short, so the quadratic table is fine. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}
