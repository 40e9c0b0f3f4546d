/** An element id the module writes and reads back from URLs (`el`). */
export function isElementId(value: string): boolean {
  return /^[A-Za-z][\w-]{0,99}$/.test(value);
}

/** A target: `#id`, `.class` or a tag name, nothing that could select across the page. */
export function isSimpleSelector(value: string): boolean {
  return /^[#.]?[A-Za-z][\w-]{0,99}$/.test(value);
}
