import { WriteChain, type ChainedWrite, type WriteResult } from '../../lib/store/write-chain.js';

/** A send that the test answers by hand, recording what was sent when. */
function manualSend() {
  const sent: Array<{
    name: string;
    write: ChainedWrite;
    answer(results: WriteResult[]): void;
    fail(err: Error): void;
  }> = [];
  const send = (name: string, write: ChainedWrite) =>
    new Promise<WriteResult[]>((resolve, reject) => {
      sent.push({ name, write, answer: resolve, fail: reject });
    });
  return { sent, send };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('WriteChain', () => {
  it('sends the pushes of one run of code as one batch, at the end of that run', async () => {
    const { sent, send } = manualSend();
    const chain = new WriteChain(send, 512);
    const a = chain.push('q', '"a"', 1);
    const b = chain.push('q', '"b"', 2);
    expect(sent).toHaveLength(0);
    await turn();
    expect(sent.map((s) => s.write)).toEqual([
      { kind: 'push', jsons: ['"a"', '"b"'], deadline: 1, callers: expect.any(Array) },
    ]);
    sent[0]!.answer(['1-0', '1-1']);
    await expect(Promise.all([a, b])).resolves.toEqual(['1-0', '1-1']);
  });

  it('sends the next write of a queue only once the one before it has settled, in call order', async () => {
    const { sent, send } = manualSend();
    const chain = new WriteChain(send, 512);
    const first = chain.push('q', '1', 0);
    await turn();
    // Called while the first is out: they wait, pushes together, the completion after them.
    const second = chain.push('q', '2', 0);
    const third = chain.push('q', '3', 0);
    const done = chain.complete('q', '1', 0);
    const late = chain.push('q', '4', 0);
    await turn();
    expect(sent).toHaveLength(1);

    sent[0]!.answer(['1-0']);
    await first;
    expect(sent.map((s) => [s.write.kind, s.write.jsons])).toEqual([
      ['push', ['1']],
      ['push', ['2', '3']],
    ]);
    sent[1]!.answer(['2-0', '2-1']);
    await expect(Promise.all([second, third])).resolves.toEqual(['2-0', '2-1']);
    expect(sent[2]!.write.kind).toBe('complete');
    sent[2]!.answer(['3-0']);
    await expect(done).resolves.toBe('3-0');
    expect(sent[3]!.write.jsons).toEqual(['4']);
    sent[3]!.fail(new Error('complete'));
    await expect(late).rejects.toThrow('complete');
  });

  it('goes on with the next write after one that failed, and answers each caller its own result', async () => {
    const { sent, send } = manualSend();
    const chain = new WriteChain(send, 512);
    const failed = chain.push('q', '1', 0);
    await turn();
    const full = [chain.push('q', '2', 0), chain.push('q', '3', 0)];
    sent[0]!.fail(new Error('unavailable'));
    await expect(failed).rejects.toThrow('unavailable');
    const refused = new Error('not replicated');
    sent[1]!.answer(['2-0', refused]);
    await expect(full[0]).resolves.toBe('2-0');
    await expect(full[1]).rejects.toBe(refused);
  });

  it('keeps queues apart: a slow queue holds up none of the others', async () => {
    const { sent, send } = manualSend();
    const chain = new WriteChain(send, 512);
    void chain.push('slow', '1', 0);
    await turn();
    const fast = chain.push('fast', '1', 0);
    await turn();
    expect(sent.map((s) => s.name)).toEqual(['slow', 'fast']);
    sent[1]!.answer(['9-0']);
    await expect(fast).resolves.toBe('9-0');
  });

  it(`puts at most maxBatch items in one write, and keeps each write's first deadline`, async () => {
    const { sent, send } = manualSend();
    const chain = new WriteChain(send, 2);
    const pushes = [1, 2, 3].map((n) => chain.push('q', String(n), n * 10));
    await turn();
    expect(sent.map((s) => [s.write.jsons, s.write.deadline])).toEqual([[['1', '2'], 10]]);
    sent[0]!.answer(['1-0', '1-1']);
    await turn();
    expect(sent.map((s) => [s.write.jsons, s.write.deadline])[1]).toEqual([['3'], 30]);
    sent[1]!.answer([undefined]);
    await expect(Promise.all(pushes)).resolves.toEqual(['1-0', '1-1', undefined]);
  });
});
