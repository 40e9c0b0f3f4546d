import { RawSseClient } from './sse-client.js';
import { startTestApp, type TestApp, type TestAppOptions } from './test-app.js';

/**
 * The set-up of a describe block that streams from one app: starts the app before its tests
 * (handed to `started`) and closes it after them; `open` connects a raw SSE client to a path
 * of the app, and each client is dropped when its test ends.
 */
export function sseSuite(
  started: (app: TestApp) => void,
  options: TestAppOptions = {},
): { open: (path: string, headers?: Record<string, string>) => Promise<RawSseClient> } {
  let t: TestApp | undefined;
  const clients: RawSseClient[] = [];
  beforeAll(async () => {
    t = await startTestApp(options);
    started(t);
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.destroy();
  });
  afterAll(async () => {
    await t?.close();
  });
  return {
    async open(path, headers = {}) {
      const client = await RawSseClient.open(`${t!.url}${path}`, { headers });
      clients.push(client);
      return client;
    },
  };
}
