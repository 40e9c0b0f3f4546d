import { escapeAttr } from './html.js';

/**
 * What a partial writes in place of its element when the view's parameters are wrong: the
 * page still renders (a template author's mistake is no server error) and says what is
 * wrong where the live results would be.
 */
export function partialError(partial: string, message: string): string {
  return `<div class="pluto-rt-error" role="alert">${escapeAttr(`${partial}: ${message}`)}</div>`;
}
