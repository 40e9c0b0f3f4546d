/** An SSE event parsed from raw text. */
export interface ParsedEvent {
  id?: string;
  event?: string;
  data?: string;
}

/** The complete events in `text` (a trailing event without its blank line is dropped, as an EventSource does). */
export function parseSse(text: string): ParsedEvent[] {
  const blocks = text.replace(/\r\n?/g, '\n').split('\n\n');
  blocks.pop(); // incomplete (or empty) tail
  const events: ParsedEvent[] = [];
  for (const block of blocks) {
    const event: ParsedEvent = {};
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') data.push(value);
      else if (field === 'id') event.id = value;
      else if (field === 'event') event.event = value;
    }
    if (data.length > 0) event.data = data.join('\n');
    if (event.data !== undefined || event.event !== undefined) events.push(event);
  }
  return events;
}
