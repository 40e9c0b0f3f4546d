// Request/response over a child process's IPC channel: the orchestrator drives the server
// and client processes with named commands and awaits their results.

/** Parent side: `call(cmd, args)` resolves with the child's result or rejects with its error. */
export function rpcClient(child, label) {
  let seq = 0;
  const pending = new Map();
  child.on('message', (message) => {
    const waiter = pending.get(message.re);
    if (!waiter) return;
    pending.delete(message.re);
    if (message.error) waiter.reject(new Error(`${label}: ${message.error}`));
    else waiter.resolve(message.result);
  });
  child.on('exit', (code, signal) => {
    for (const waiter of pending.values()) {
      waiter.reject(new Error(`${label} exited (${signal ?? code}) during a call`));
    }
    pending.clear();
  });
  return {
    call(cmd, args = {}) {
      return new Promise((resolve, reject) => {
        const id = ++seq;
        pending.set(id, { resolve, reject });
        child.send({ id, cmd, args });
      });
    },
  };
}

/** Child side: answers each command with `handlers[cmd](args)`; exits when the parent goes. */
export function serveRpc(handlers) {
  const builtIn = {
    hello: () => ({ nofile: Number(process.env.BENCH_NOFILE) || undefined, pid: process.pid }),
    exit: () => setImmediate(() => process.exit(0)),
  };
  process.on('message', async ({ id, cmd, args }) => {
    try {
      const handler = handlers[cmd] ?? builtIn[cmd];
      if (!handler) throw new Error(`unknown command ${cmd}`);
      process.send({ re: id, result: (await handler(args)) ?? null });
    } catch (err) {
      process.send({ re: id, error: err?.stack ?? String(err) });
    }
  });
  process.on('disconnect', () => process.exit(0));
}
