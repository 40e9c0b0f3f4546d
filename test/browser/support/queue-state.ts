import type { Page } from 'playwright-core';
import { queueKey, redisClient } from '../../helpers/redis.js';

/**
 * Whether the queue shown by `page` (its name is the last segment of a results page's URL),
 * or queue `name`, is complete: the last entry of its stream is the end marker (field `e`,
 * see lib/pluto-rt.constants.ts). Read from Redis itself: a page's signed URL cannot be read
 * as JSON, and a poll with it would move nothing the test can see.
 */
export async function queueIsComplete(
  page: Page,
  keyPrefix: string,
  name?: string,
): Promise<boolean> {
  const queue = name ?? new URL(page.url()).pathname.split('/').at(-1)!;
  const redis = redisClient();
  try {
    const [last] = await redis.xrevrange(queueKey(keyPrefix, queue), '+', '-', 'COUNT', 1);
    if (!last) throw new Error(`queue ${queue} has no stream`);
    return last[1][0] === 'e';
  } finally {
    await redis.quit();
  }
}
