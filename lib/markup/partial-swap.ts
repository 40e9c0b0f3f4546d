import { element } from './html.js';

/**
 * `<hx-partial>`: swaps `html` into `target` wherever it sits in a message or an answer.
 * Both majors apply it (htmx 2 from 2.0.11), it carries table rows as well as list items,
 * and htmx 2 skips the main swap of a message made only of partials.
 */
export function partialSwap(target: string, swap: string, html: string): string {
  return element(
    'hx-partial',
    [
      ['hx-target', target],
      ['hx-swap', swap],
    ],
    html,
  );
}
