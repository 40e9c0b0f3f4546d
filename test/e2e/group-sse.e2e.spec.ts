import type { Socket } from 'node:net';
import { goneQueue } from '../helpers/gone-queue.js';
import {
  listMembers,
  numbersByTarget,
  shownCount,
  pushTo,
  shownIn,
  upTo,
  type TestMember,
} from '../helpers/group.js';
import { EventSourceClient, RawSseClient } from '../helpers/sse-client.js';
import type { SseBlock } from '../helpers/sse-parse.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

describe('group over SSE (e2e)', () => {
  let t: TestApp;
  /** Completed queues expire in a second; a stream waits a second for a queue to start. */
  let short: TestApp;
  const clients: RawSseClient[] = [];
  const sources: EventSourceClient[] = [];
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    t = await startTestApp({ options: { keepaliveMs: 200, sseRetryMs: 100 } });
    short = await startTestApp({
      options: { completedTtlSeconds: 1, startTimeoutSeconds: 1, sweepIntervalMs: 200 },
    });
    t.app.getHttpServer().on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    for (const source of sources.splice(0)) source.close();
    await waitFor(
      () => t.rt.stats().streams === 0 && short.rt.stats().streams === 0,
      'every stream to be released',
    );
  });

  afterAll(async () => {
    await t.close();
    await short.close();
  });

  async function open(app: TestApp, path: string, headers?: Record<string, string>) {
    const client = await RawSseClient.open(app.url + path, { headers });
    clients.push(client);
    return client;
  }

  const groupSse = (app: TestApp, members: TestMember[]) => app.rt.rtGroupUrls(members).sse;

  it('sends each queue its history, then live items, each as a partial into its own target', async () => {
    const [a, b, c] = [
      ...listMembers(t, 1),
      {
        queue: t.rt.createQueueName(),
        itemTemplate: 'pluto_rt/progress',
        mode: 'replace' as const,
        target: '#bar',
        ids: [],
      },
      ...listMembers(t, 1, 'reverse').map((m) => ({ ...m, target: '#c' })),
    ] as [TestMember, TestMember, TestMember];
    await pushTo(t, a, 1, 3);
    b.ids.push(await t.rt.get(b.queue).progress(10));
    b.ids.push(await t.rt.get(b.queue).progress(20));
    await pushTo(t, c, 1, 2);

    const client = await open(t, groupSse(t, [a, b, c]));
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toMatch(/^text\/event-stream/);
    // The histories, ready at once, go as one event: each queue's items as one partial
    // into its target, in the order its swap shows them.
    const [history] = await client.untilItems(1);
    expect(shownIn(history!.data!)).toEqual([
      { target: '#q0', swap: 'beforeend', numbers: [1, 2, 3] },
      // replace mode sends only the latest of what it would overwrite at once
      { target: '#bar', swap: 'innerHTML', numbers: [] },
      { target: '#c', swap: 'afterbegin', numbers: [2, 1] },
    ]);
    expect(history!.data).toContain('20%');
    // Its id is the group's cursor after it: one part per queue, in the group's order.
    expect(history!.id).toBe(`${a.ids[2]}.${b.ids[1]}.${c.ids[1]}`);

    await pushTo(t, c, 3, 3);
    await pushTo(t, a, 4, 4);
    await client.until(() => shownCount(client.items) === 7, 'the live items');
    expect(numbersByTarget(client.items)).toEqual({
      '#q0': [1, 2, 3, 4],
      '#bar': [],
      '#c': [2, 1, 3],
    });
  });

  it('lets each queue complete on its own, and closes once all have', async () => {
    const members = listMembers(t, 3);
    for (const member of members) await pushTo(t, member, 1, 2);
    const client = await open(t, groupSse(t, members));
    await client.until(() => shownCount(client.items) === 6, 'the histories');

    await t.rt.get(members[1]!.queue).complete();
    const ended = await client.until(
      () => client.items.find((block) => block.data === '<!-- pluto-rt: queue 2 complete -->'),
      'queue 2 to end',
    );
    expect(ended.id).toBe(`${members[0]!.ids[1]}.done.${members[2]!.ids[1]}`);
    expect(client.ended).toBe(false);
    await pushTo(t, members[0]!, 3, 3); // the others go on
    await client.until(() => shownCount(client.items) === 7, 'the live item');

    await t.rt.get(members[0]!.queue).complete();
    await t.rt.get(members[2]!.queue).complete();
    await client.untilEnd();
    expect(client.events.at(-1)).toEqual(
      expect.objectContaining({ event: 'close', data: 'complete', id: 'done.done.done' }),
    );
    expect(numbersByTarget(client.items)).toEqual({
      '#q0': [1, 2, 3],
      '#q1': [1, 2],
      '#q2': [1, 2],
    });
  });

  it('does not let a queue that has not started hold up the others', async () => {
    const [waiting, busy] = listMembers(t, 2) as [TestMember, TestMember];
    const client = await open(t, groupSse(t, [waiting, busy]));
    await waitFor(() => t.rt.stats().waitingForStart === 2, 'both queues waiting to start');
    await pushTo(t, busy, 1, 3);
    await t.rt.get(busy.queue).complete();
    await client.until(
      () =>
        shownCount(client.items) === 3 && client.items.some((b) => b.data?.includes('complete')),
      'the busy queue to deliver and end',
    );
    expect(client.ended).toBe(false);
    await pushTo(t, waiting, 1, 1);
    await t.rt.get(waiting.queue).complete();
    await client.untilEnd();
    expect(numbersByTarget(client.items)).toEqual({ '#q0': [1], '#q1': [1, 2, 3] });
  });

  it('shows a notice in the target of a queue that is gone, and counts it as ended', async () => {
    const [gone, live] = listMembers(short, 2);
    await goneQueue(short, gone!.queue);
    const client = await open(short, groupSse(short, [gone!, live!]));
    const first = await client.until(() => client.items[0], 'the first event');
    expect(shownIn(first.data!)).toEqual([
      { target: '#q0', swap: 'beforeend', numbers: [], notice: 'gone' },
    ]);
    expect(first.id).toBe('done.0-0');
    await pushTo(short, live!, 1, 2);
    await short.rt.get(live!.queue).complete();
    await client.untilEnd();
    expect(client.events.at(-1)).toMatchObject({ event: 'close', id: 'done.done' });
  });

  it('ends, with a notice, a queue that does not start within startTimeoutSeconds; the others go on', async () => {
    const [never, live] = listMembers(short, 2);
    const client = await open(short, groupSse(short, [never!, live!]));
    await pushTo(short, live!, 1, 1);
    const notice = await client.until(
      () => client.items.find((block) => shownIn(block.data!)[0]?.notice === 'gone'),
      'the start timeout',
      5_000,
    );
    expect(shownIn(notice.data!)[0]!.target).toBe('#q0');
    expect(client.ended).toBe(false);
    await short.rt.get(live!.queue).complete();
    await client.untilEnd();
    expect(numbersByTarget(client.items)).toEqual({ '#q0': [], '#q1': [1] });
  });

  it.each([
    ['the Last-Event-ID header', 'header'],
    ['the after= query parameter', 'query'],
  ])(
    'resumes every queue after the group cursor in %s: nothing lost, nothing repeated',
    async (_, via) => {
      const members = listMembers(t, 3);
      for (const [i, member] of members.entries()) await pushTo(t, member, 1, 3 + i);
      const url = groupSse(t, members);
      const first = await open(t, url);
      const [history] = await first.untilItems(1);
      expect(history!.id).toBe(members.map((member) => member.ids.at(-1)).join('.'));
      first.destroy();
      // A cursor in the middle of the third queue's history (what an earlier, slower
      // connection may have reached).
      const cut = `${members[0]!.ids[2]}.${members[1]!.ids[3]}.${members[2]!.ids[2]}`;
      for (const member of members) await pushTo(t, member, 10, 10);

      const again =
        via === 'header'
          ? await open(t, url, { 'Last-Event-ID': cut })
          : await open(t, `${url}&after=${encodeURIComponent(cut)}`);
      await again.until(() => shownCount(again.items) === 5, 'the missed items');
      expect(numbersByTarget(again.items)).toEqual({ '#q0': [10], '#q1': [10], '#q2': [4, 5, 10] });
      expect(again.blocks[0]).toMatchObject({ id: cut });
    },
  );

  it('resumes a queue that ended as ended: done in the cursor reads nothing from it', async () => {
    const members = listMembers(t, 2);
    await pushTo(t, members[1]!, 1, 1);
    const client = await open(t, groupSse(t, members), {
      'Last-Event-ID': `done.${members[1]!.ids[0]}`,
    });
    // Only the second queue is watched: the first (never started) would wait for a start.
    await client.until(() => client.blocks.length > 0, 'the stream to open');
    expect(t.rt.stats()).toMatchObject({ streams: 1, queues: 1, waitingForStart: 0 });
    await pushTo(t, members[1]!, 2, 2);
    await t.rt.get(members[1]!.queue).complete();
    await client.untilEnd();
    expect(numbersByTarget(client.items)).toEqual({ '#q1': [2] });
  });

  it('closes at once a group resumed with every queue done', async () => {
    const members = listMembers(t, 2);
    const client = await open(t, groupSse(t, members), { 'Last-Event-ID': 'done.done' });
    await client.untilEnd();
    expect(client.events).toEqual([expect.objectContaining({ event: 'close', id: 'done.done' })]);
  });

  it.each([
    ['another number of parts', '0-0'],
    ['a part that is no stream id', '0-0.zero'],
    ['a part of another group format', '0-0,0-0'],
  ])('refuses a cursor with %s: 400', async (_, cursor) => {
    const url = groupSse(t, listMembers(t, 2));
    for (const headers of [{ 'Last-Event-ID': cursor }, undefined]) {
      const client = await open(t, headers ? url : `${url}&after=${cursor}`, headers);
      await client.untilEnd();
      expect(client.status).toBe(400);
      expect(client.raw).toMatch(/Invalid cursor: 2 stream ids/);
    }
  });

  it('lets an EventSource cut off twice resume every queue: each item once, in order', async () => {
    const members = listMembers(t, 4);
    const source = new EventSourceClient(t.url + groupSse(t, members));
    sources.push(source);
    const shown = () => numbersByTarget(source.messages.map((m) => ({ data: m.data }) as SseBlock));
    for (const [round, [from, to]] of [
      [1, 5],
      [6, 12],
      [13, 20],
    ].entries()) {
      for (let n = from!; n <= to!; n++)
        for (const member of members) await pushTo(t, member, n, n);
      await source.until(() => shown()['#q3']?.length === to, `item ${to} of every queue`);
      if (round < 2) for (const socket of sockets) socket.destroy();
    }
    for (const member of members) await t.rt.get(member.queue).complete();
    await source.until(() => source.closeEvents.length === 1, 'the close event');
    expect(shown()).toEqual({ '#q0': upTo(20), '#q1': upTo(20), '#q2': upTo(20), '#q3': upTo(20) });
    // Each reconnect sent the cursor of the last event it had received.
    expect(source.requests.length).toBeGreaterThanOrEqual(3);
    expect(source.requests.slice(1).every((id) => id !== null && id.split('.').length === 4)).toBe(
      true,
    );
  });

  it('is one stream for maxStreams and stats().sseStreams, and releases every queue when the client leaves', async () => {
    const members = listMembers(t, 5);
    const client = await open(t, groupSse(t, members));
    await waitFor(() => t.rt.stats().waitingForStart === 5, 'five queues waiting');
    expect(t.rt.stats()).toMatchObject({ sseStreams: 1, streams: 5, queues: 5 });
    client.destroy();
    await waitFor(() => t.rt.stats().streams === 0, 'the streams to go');
    expect(t.rt.stats()).toMatchObject({ sseStreams: 0, queues: 0, waitingForStart: 0 });
  });

  describe('JSON flavour (no item templates)', () => {
    it('names the queue of each item, ends each queue with an end event, then closes', async () => {
      const [a, b] = [t.rt.createQueueName(), t.rt.createQueueName()];
      const url = t.rt.rtGroupUrls([{ queue: a }, { queue: b }]).sse;
      expect(new URL(url, 'http://x').searchParams.getAll('q')).toEqual([
        `${a}::append:`,
        `${b}::append:`,
      ]);
      const idA = await t.rt.get(a).push({ n: 1, text: '<b>' });
      const client = await open(t, url);
      await client.untilItems(1);
      const idB = await t.rt.get(b).push({ n: 2 });
      // Queues on different cluster nodes reach the reader on different connections, so the
      // order across queues is only fixed where the test waits: B's item before A's end, A's
      // end before B's.
      await client.untilItems(2);
      await t.rt.get(a).complete();
      await client.until(() => client.events.some((e) => e.event === 'end'), "A's end");
      await t.rt.get(b).complete();
      await client.untilEnd();
      expect(client.events.map(({ event, id, data }) => ({ event, id, data }))).toEqual([
        {
          event: undefined,
          id: `${idA}.0-0`,
          data: JSON.stringify({ queue: a, id: idA, item: { n: 1, text: '<b>' } }),
        },
        {
          event: undefined,
          id: `${idA}.${idB}`,
          data: JSON.stringify({ queue: b, id: idB, item: { n: 2 } }),
        },
        { event: 'end', id: `done.${idB}`, data: JSON.stringify({ queue: a, reason: 'complete' }) },
        { event: 'end', id: 'done.done', data: JSON.stringify({ queue: b, reason: 'complete' }) },
        { event: 'close', id: 'done.done', data: 'complete' },
      ]);
    });

    it('says gone in the end event of a queue that is gone', async () => {
      const gone = await goneQueue(short);
      const client = await open(short, short.rt.rtGroupUrls([{ queue: gone }]).sse);
      await client.untilEnd();
      expect(client.events.map((block) => [block.event, block.data])).toEqual([
        ['end', JSON.stringify({ queue: gone, reason: 'gone' })],
        ['close', 'complete'],
      ]);
    });
  });
});
