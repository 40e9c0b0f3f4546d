/** Field names of a stream entry: an item, or the end marker. */
export const ITEM_FIELD = 'd';
export const END_FIELD = 'e';
