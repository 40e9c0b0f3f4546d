import { EventEmitter } from 'node:events';
import { realProcess, watchProcess } from './helpers/process-watch.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * The fuzz, storm and restart suites end with "no unhandled rejection, no uncaught exception,
 * no warning" from watchProcess(): an empty record proves something only if the helper does
 * record the real thing. Jest hands tests a copy of `process` whose events never fire, so
 * each probe below is raised for real (Node itself emits it on the host process) and seen by
 * a listener of the test's own first; then the helper must have recorded it too.
 */
describe('watchProcess (the helper the reliability suites trust)', () => {
  /** Records `event` on the host process until the returned `stop()`. */
  function seen<T>(event: string): { values: T[]; stop(): void } {
    const values: T[] = [];
    const listener = (value: T) => values.push(value);
    realProcess.on(event, listener);
    return { values, stop: () => realProcess.off(event, listener) };
  }

  it('records a real unhandled rejection', async () => {
    const watch = watchProcess();
    const node = seen<unknown>('unhandledRejection');
    const handled = seen<Promise<unknown>>('rejectionHandled');
    try {
      const probe = Promise.reject(new Error('process-watch probe rejection'));
      await waitFor(() => node.values.length > 0, 'Node to report the probe unhandled');
      expect(watch.rejections).toHaveLength(1);
      expect(String(watch.rejections[0])).toContain('process-watch probe rejection');
      // Jest fails a test whose rejection stays unhandled; once Node reports it handled
      // (late), Jest forgets it. The helper keeps its record: it counts what happened.
      await probe.catch(() => undefined);
      await waitFor(() => handled.values.includes(probe), 'Node to report the probe handled');
      expect(watch.rejections).toHaveLength(1);
    } finally {
      handled.stop();
      node.stop();
      watch.stop();
    }
  });

  it('records a real uncaught exception', async () => {
    // Jest fails the running test on any uncaught exception, and nothing can take that back:
    // its listeners step aside for the probe. The test's own listener keeps the process alive
    // even if the helper's were missing (with no listener at all, Node would exit).
    const jestListeners = realProcess.rawListeners('uncaughtException') as Array<
      (...args: unknown[]) => void
    >;
    realProcess.removeAllListeners('uncaughtException');
    const node = seen<unknown>('uncaughtException');
    const watch = watchProcess();
    try {
      setImmediate(() => {
        throw new Error('process-watch probe exception');
      });
      await waitFor(() => node.values.length > 0, 'Node to report the probe uncaught');
      expect(watch.exceptions).toHaveLength(1);
      expect(String(watch.exceptions[0])).toContain('process-watch probe exception');
    } finally {
      watch.stop();
      node.stop();
      for (const listener of jestListeners) realProcess.on('uncaughtException', listener);
    }
    expect(realProcess.rawListeners('uncaughtException')).toEqual(jestListeners);
  });

  it('records a real process warning, and nothing once stopped', async () => {
    const listenersBefore = realProcess.listenerCount('warning');
    const watch = watchProcess();
    const node = seen<Error>('warning');
    /** What leaks a listener in the library would cause: Node's MaxListenersExceededWarning. */
    const leakListeners = () => {
      const emitter = new EventEmitter();
      emitter.setMaxListeners(1);
      emitter.on('probe', () => undefined);
      emitter.on('probe', () => undefined);
    };
    try {
      leakListeners();
      await waitFor(
        () => node.values.some((w) => w.name === 'MaxListenersExceededWarning'),
        'Node to emit the warning',
      );
      expect(watch.warnings.map((w) => w.name)).toEqual(['MaxListenersExceededWarning']);

      watch.stop();
      expect(realProcess.listenerCount('warning')).toBe(listenersBefore + 1); // the test's own
      leakListeners();
      await waitFor(() => node.values.length === 2, 'Node to emit the second warning');
      expect(watch.warnings).toHaveLength(1);
    } finally {
      node.stop();
      watch.stop();
    }
  });
});
