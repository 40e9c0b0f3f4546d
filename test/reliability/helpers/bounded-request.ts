import http from 'node:http';

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
}

export interface FuzzAnswer {
  status: number;
  /** An event stream that was cut by the client after its first bytes. */
  streamed: boolean;
  body: string;
}

/**
 * Sends a request and resolves with its answer, or rejects when no complete answer came
 * within `timeoutMs` (a hang). An event stream is aborted once its first event (or keepalive)
 * has arrived.
 */
export function boundedRequest(
  base: string,
  req: FuzzRequest,
  agent: http.Agent,
  timeoutMs: number,
): Promise<FuzzAnswer> {
  return new Promise((resolve, reject) => {
    const url = new URL(base);
    const request = http.request({
      host: url.hostname,
      port: url.port,
      method: req.method,
      path: req.path,
      headers: req.headers,
      agent,
    });
    const timer = setTimeout(() => {
      request.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (answer: FuzzAnswer) => {
      clearTimeout(timer);
      resolve(answer);
    };
    request.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const isStream = String(response.headers['content-type']).startsWith('text/event-stream');
      if (isStream && req.method === 'HEAD') {
        // Headers are the whole answer to HEAD; do not keep the connection waiting.
        request.destroy();
        return done({ status, streamed: true, body: '' });
      }
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
        // The first event, or a keepalive comment on an idle stream.
        if (isStream && body.includes('\n\n') && body.trim() !== '') {
          request.destroy();
          done({ status, streamed: true, body });
        }
      });
      response.on('end', () => done({ status, streamed: false, body }));
      response.on('error', () => undefined);
    });
    request.end();
  });
}
