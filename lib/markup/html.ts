/** Attributes in the order they are written: name, value. */
export type Attrs = ReadonlyArray<readonly [name: string, value: string]>;

const ATTR_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '"': '&quot;',
  '<': '&lt;',
  '>': '&gt;',
  "'": '&#39;',
};

/** Escapes text for an attribute value or element content. */
export function escapeAttr(value: string): string {
  return value.replace(/[&"<>']/g, (char) => ATTR_ESCAPES[char]!);
}

/** `<tag a="v" ...>inner</tag>`, every attribute value escaped; `inner` is written as it is. */
export function element(tag: string, attrs: Attrs, inner = ''): string {
  const written = attrs.map(([name, value]) => ` ${name}="${escapeAttr(value)}"`).join('');
  return `<${tag}${written}>${inner}</${tag}>`;
}
