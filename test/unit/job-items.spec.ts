import {
  active,
  delayed,
  failed,
  retrying,
  runStart,
  stalled,
  waiting,
} from '../../lib/jobs/job-items.js';
import { tellingOf } from '../../lib/jobs/job-transitions.js';

const job = (made: number, stalls = 0, attempts = 3) => ({
  attemptsMade: made,
  stalledCounter: stalls,
  processedOn: 1_000,
  failedReason: made > 0 ? `broke ${made}\n  at stack` : undefined,
  opts: { attempts },
});

describe('a job’s told items', () => {
  it('take places in its life in the order it lives them', () => {
    const life = [
      waiting(),
      active(job(0)),
      stalled(job(0, 1)),
      active(job(0, 1)),
      retrying(job(1, 1), 5_000),
      active(job(1, 1)),
      retrying(job(2, 1), 6_000),
      active(job(2, 1)),
      failed(job(3, 1), 'broke 3'),
    ];
    const positions = life.map((item) => item.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(new Set(positions).size).toBe(positions.length);
    expect(delayed(9).position).toBe(waiting().position);
  });

  it('say the attempt from 1, the attempts (BullMQ’s 0 or unset is one), and a reason’s first line', () => {
    expect(JSON.parse(active(job(1)).json)).toEqual({
      type: 'job',
      state: 'active',
      attempt: 2,
      attempts: 3,
    });
    expect(JSON.parse(active({ attemptsMade: 0, opts: { attempts: 0 } }).json)).toMatchObject({
      attempts: 1,
    });
    expect(JSON.parse(retrying(job(1), 7).json)).toEqual({
      type: 'job',
      state: 'retrying',
      attempt: 1,
      attempts: 3,
      at: 7,
      reason: 'broke 1',
    });
  });

  it('a run of a processor starts with what led to it: the failure, the stall, then the start', () => {
    expect(runStart(job(1, 1)).map((i) => JSON.parse(i.json).state)).toEqual([
      'retrying',
      'stalled',
      'active',
    ]);
    expect(runStart(job(0)).map((i) => JSON.parse(i.json).state)).toEqual(['active']);
    // A job not being processed (the controller's, just added) tells nothing.
    expect(runStart({ attemptsMade: 0 })).toEqual([]);
  });

  it('the follower: a stall’s return to waiting tells nothing, a retry’s does; completed and removed end', () => {
    expect(tellingOf({ event: 'waiting', prev: 'active' }, job(0, 1))).toEqual({});
    expect(
      JSON.parse(tellingOf({ event: 'waiting', prev: 'active' }, job(1)).items![0]!.json).state,
    ).toBe('retrying');
    expect(tellingOf({ event: 'completed' }, undefined)).toEqual({ end: { reason: 'complete' } });
    expect(tellingOf({ event: 'removed' }, undefined).end?.reason).toBe('cancelled');
    expect(
      tellingOf({ event: 'failed', failedReason: 'x'.repeat(600) }, job(3)).end?.message,
    ).toHaveLength(500);
    expect(tellingOf({ event: 'active' }, { ...job(3), finishedOn: 2 })).toEqual({});
  });

  it('the follower tells nothing but the ending of a job it reads once the job finished', () => {
    // A retry's event read after the next attempt completed: BullMQ counted that attempt
    // too, so "retrying 3" would land past the last line of a job that succeeded.
    const done = { ...job(3), finishedOn: 2 };
    for (const e of [
      { event: 'waiting', prev: 'active' },
      { event: 'delayed', delay: 5 },
      { event: 'stalled' },
      { event: 'waiting' },
    ] as const)
      expect(tellingOf(e, done)).toEqual({});
    expect(tellingOf({ event: 'failed', failedReason: 'x' }, done).end?.reason).toBe('failed');
  });

  it('the follower tells a run’s whole start on active, in the places the processor tells it', () => {
    // A retry at once: the processor's start and the follower's race, and the event that told
    // the retry may be missed; whichever teller lands first, "retrying" comes before "active".
    expect(tellingOf({ event: 'active' }, job(1, 1)).items).toEqual(runStart(job(1, 1)));
    expect(
      tellingOf({ event: 'active' }, job(1)).items!.map((i) => JSON.parse(i.json).state),
    ).toEqual(['retrying', 'active']);
    // Without processedOn (read before BullMQ wrote it), the start alone.
    expect(tellingOf({ event: 'active' }, { attemptsMade: 0 }).items).toEqual([
      active({ attemptsMade: 0 }),
    ]);
  });
});
