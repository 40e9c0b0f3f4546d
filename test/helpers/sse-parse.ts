/** One block of an event stream (the text between blank lines), as sent. */
export interface SseBlock {
  /** The block's lines, verbatim (without the line ends). */
  lines: string[];
  id?: string;
  event?: string;
  /** The data lines joined with `\n`, as an EventSource joins them; undefined without any. */
  data?: string;
  comments: string[];
}

/** Parses one block (the text between blank lines, line ends normalised to `\n`). */
export function parseSseBlock(text: string): SseBlock {
  const lines = text.split('\n');
  const block: SseBlock = { lines, comments: [] };
  const data: string[] = [];
  for (const line of lines) {
    if (line.startsWith(':')) {
      block.comments.push(line.slice(1).replace(/^ /, ''));
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'id') block.id = value;
    else if (field === 'event') block.event = value;
  }
  if (data.length > 0) block.data = data.join('\n');
  return block;
}

/** Whether `block` carries an event (data or an event name), not just comments. */
export function isEvent(block: SseBlock): boolean {
  return block.data !== undefined || block.event !== undefined;
}

/**
 * The events of a whole response body. A trailing block without its blank line is dropped,
 * as an EventSource drops it.
 */
export function parseSseText(text: string): SseBlock[] {
  const blocks = text.replace(/\r\n?/g, '\n').split('\n\n');
  blocks.pop(); // incomplete (or empty) tail
  return blocks.map(parseSseBlock).filter(isEvent);
}
