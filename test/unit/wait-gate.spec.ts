import { WaitGate } from '../../lib/store/wait-gate.js';

describe('WaitGate', () => {
  const inAMinute = () => Date.now() + 60_000;

  it('lets `limit` writes in at once; the next one enters when one is released', async () => {
    const gate = new WaitGate(2, 10);
    const first = await gate.enter(inAMinute());
    const second = await gate.enter(inAMinute());
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    let third: (() => void) | undefined;
    const entering = gate.enter(inAMinute()).then((release) => (third = release));
    await Promise.resolve();
    expect(third).toBeUndefined();
    first!();
    await entering;
    expect(third).toBeDefined();
    second!();
    third!();
  });

  it('releasing twice frees one place only', async () => {
    const gate = new WaitGate(1, 10);
    const first = await gate.enter(inAMinute());
    first!();
    first!();
    const second = await gate.enter(inAMinute());
    let third: (() => void) | undefined;
    void gate.enter(inAMinute()).then((release) => (third = release));
    await new Promise((resolve) => setImmediate(resolve));
    expect(third).toBeUndefined();
    second!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(third).toBeDefined();
    third!();
  });

  it('turns away a write that could not be sent with reserveMs left before its deadline', async () => {
    const gate = new WaitGate(1, 1_000);
    expect(await gate.enter(Date.now() + 500)).toBeUndefined();
    const held = await gate.enter(inAMinute());
    // Waits behind `held` until its own latest send time passes, then gives up unsent.
    const started = Date.now();
    expect(await gate.enter(Date.now() + 1_050)).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    held!();
  });
});
