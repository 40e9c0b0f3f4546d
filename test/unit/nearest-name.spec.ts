import { didYouMean, nearestName } from '../../lib/text/nearest-name.js';

describe('nearestName', () => {
  const params = ['queue', 'item_template', 'target', 'mode', 'id', 'htmx'];

  it('finds the same name written in another case or style', () => {
    expect(nearestName('itemTemplate', params)).toBe('item_template');
    expect(nearestName('ITEM-TEMPLATE', params)).toBe('item_template');
  });

  it('finds a name within two edits, the closest first', () => {
    expect(nearestName('templateDir', ['templatesDir', 'keyPrefix'])).toBe('templatesDir');
    expect(nearestName('targt', params)).toBe('target');
    expect(nearestName('mod', ['mode', 'model'])).toBe('mode');
  });

  it('guesses nothing for a name that is far from every known one', () => {
    expect(nearestName('interval', params)).toBeUndefined();
    expect(didYouMean('colour', params)).toBe('');
    expect(didYouMean('tagret', params)).toBe(' (did you mean "target"?)');
  });
});
