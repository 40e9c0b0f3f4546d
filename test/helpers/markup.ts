/** Attribute values by name. */
export type Attrs = Record<string, string>;

/** The attributes of every `<tag ...>` in `html`, entities decoded. */
export function elements(html: string, tag: string): Attrs[] {
  return [...html.matchAll(new RegExp(`<${tag}\\s[^>]*>`, 'g'))].map((match) => {
    const attrs: Attrs = {};
    for (const [, name, value] of match[0].matchAll(/([\w:-]+)="([^"]*)"/g))
      attrs[name!] = decode(value!);
    return attrs;
  });
}

/**
 * The attributes of `html`, which must be exactly one `<div>` holding no other div, as
 * written (entities kept, so that a test can check the escaping); a bare attribute maps to ''.
 */
export function singleDivAttributes(html: string): Map<string, string> {
  const match = /^<div ([^>]*)>((?:(?!<div)[^])*)<\/div>$/.exec(html);
  if (!match) throw new Error(`not one div: ${html}`);
  return new Map(
    [...match[1]!.matchAll(/([\w:-]+)(?:="([^"]*)")?/g)].map((m) => [m[1]!, m[2] ?? '']),
  );
}

/** The query parameter `name` of a (relative) URL. */
export function param(url: string, name: string): string | null {
  return new URL(url, 'http://x').searchParams.get(name);
}

function decode(value: string): string {
  const entities: Record<string, string> = { amp: '&', quot: '"', lt: '<', gt: '>', '#39': "'" };
  return value.replace(/&(amp|quot|lt|gt|#39);/g, (_, entity: string) => entities[entity]!);
}
