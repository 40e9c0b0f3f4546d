/** One event of an event stream, written by hand (outside Nest's @Sse pipeline). */
export interface SseBlock {
  event?: string;
  /** '' resets the client's last event id. */
  id?: string;
  retry?: number;
  data: string;
}

/** The text of `blocks` as an event stream body. */
export function sseText(blocks: SseBlock[]): string {
  return blocks
    .map((block) => {
      let text = block.event === undefined ? '' : `event: ${block.event}\n`;
      if (block.id !== undefined) text += `id: ${block.id}\n`;
      if (block.retry !== undefined) text += `retry: ${block.retry}\n`;
      for (const line of block.data.split(/\r\n|\r|\n/)) text += `data: ${line}\n`;
      return `${text}\n`;
    })
    .join('');
}
