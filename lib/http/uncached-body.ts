import { StreamableFile } from '@nestjs/common';

/**
 * A response body that no cache keeps and no If-None-Match turns into a 304: the routes
 * say `Cache-Control: no-store`, and Express gives a string body an ETag (and answers a
 * matching If-None-Match with 304, for any 2xx such as 286), a streamed one neither.
 */
export function uncachedBody(contentType: string, text: string): StreamableFile {
  const bytes = Buffer.from(text);
  return new StreamableFile(bytes, { type: contentType, length: bytes.length });
}
