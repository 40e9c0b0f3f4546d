import vm from 'node:vm';

// Jest hands tests a copy of `process` whose events never fire: listen on the real one.
export const realProcess = vm.runInThisContext('process') as NodeJS.Process;

/** What went wrong in this process outside any awaited promise while a test ran. */
export interface ProcessWatch {
  readonly rejections: unknown[];
  readonly exceptions: unknown[];
  /** process warnings, such as MaxListenersExceededWarning. */
  readonly warnings: Error[];
  stop(): void;
}

/**
 * Records unhandled rejections and uncaught exceptions until `stop()`. Jest's own handlers
 * stay in place too; this only makes them assertable (a count of 0 is the claim).
 */
export function watchProcess(): ProcessWatch {
  const rejections: unknown[] = [];
  const exceptions: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  const warnings: Error[] = [];
  const onException = (err: unknown) => exceptions.push(err);
  const onWarning = (warning: Error) => {
    if (warning.name !== 'ExperimentalWarning') warnings.push(warning);
  };
  realProcess.on('unhandledRejection', onRejection);
  realProcess.on('uncaughtException', onException);
  realProcess.on('warning', onWarning);
  return {
    rejections,
    exceptions,
    warnings,
    stop() {
      realProcess.off('warning', onWarning);
      realProcess.off('unhandledRejection', onRejection);
      realProcess.off('uncaughtException', onException);
    },
  };
}
