import type { RtGroupMember, RtMode } from '../../lib/index.js';
import { signGroup, type GroupGrant } from '../../lib/security/group-grant.js';
import { groupUrl } from '../../lib/security/stream-urls.js';
import { UrlSigner } from '../../lib/security/url-signer.js';
import type { SseBlock } from './sse-parse.js';
import type { TestApp } from './test-app.js';

/** A queue of a test group and the ids of what was pushed to it. */
export interface TestMember extends RtGroupMember {
  queue: string;
  ids: string[];
}

/** `count` fresh queues of `t`, queue i shown with list_item into `#q<i>` in `mode`. */
export function listMembers(t: TestApp, count: number, mode: RtMode = 'append'): TestMember[] {
  return Array.from({ length: count }, (_, i) => ({
    queue: t.rt.createQueueName(),
    itemTemplate: 'pluto_rt/list_item',
    mode,
    target: `#q${i}`,
    ids: [],
  }));
}

/** Pushes `{ n, text }` for n = from..to onto `member`'s queue, recording the ids. */
export async function pushTo(t: TestApp, member: TestMember, from: number, to: number) {
  const queue = t.rt.get(member.queue);
  for (let n = from; n <= to; n++) member.ids.push(await queue.push({ n, text: `item ${n}` }));
}

/** What one group event shows: the target of its partial and the `data-n` of its items. */
export interface Shown {
  target: string;
  swap: string;
  numbers: number[];
  notice?: string;
}

/** The partials of an HTML group message or poll answer. */
export function shownIn(html: string): Shown[] {
  return [
    ...html.matchAll(/<hx-partial hx-target="([^"]+)" hx-swap="([^"]+)">([\s\S]*?)<\/hx-partial>/g),
  ].map(([, target, swap, inner]) => ({
    target: target!,
    swap: swap!,
    numbers: [...inner!.matchAll(/data-n="(\d+)"/g)].map((m) => Number(m[1])),
    ...(/data-reason="(\w+)"/.exec(inner!)
      ? { notice: /data-reason="(\w+)"/.exec(inner!)![1] }
      : {}),
  }));
}

/** How many list items the partials of `blocks` carry, in all. */
export function shownCount(blocks: SseBlock[]): number {
  return Object.values(numbersByTarget(blocks)).reduce((sum, numbers) => sum + numbers.length, 0);
}

/** The numbers each target received over `blocks`, in arrival order. */
export function numbersByTarget(blocks: SseBlock[]): Record<string, number[]> {
  const byTarget: Record<string, number[]> = {};
  for (const block of blocks)
    for (const shown of shownIn(block.data ?? ''))
      (byTarget[shown.target] ??= []).push(...shown.numbers);
  return byTarget;
}

/** 1..n */
export function upTo(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

/** A group URL of `app`'s routes signed by its own signer for any grant (past expiry, say). */
export function signedGroupUrl(app: TestApp, route: 'sse' | 'poll', grant: GroupGrant): string {
  const signer = app.app.get(UrlSigner, { strict: false });
  return groupUrl('pluto-rt', route, grant, signGroup(signer, grant));
}

/** Unix seconds ten seconds ago: an expiry that has passed. */
export const pastExpiry = () => Math.floor(Date.now() / 1000) - 10;
