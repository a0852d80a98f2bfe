// Raw Engine API requests over a UNIX socket, timed, with a fresh connection each time (as a client
// that runs once would see it) and a bounded wait.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface ApiResult { status: number; body: string; ms: number }

export function apiRequest(socket: string, method: string, path: string, body?: unknown, timeoutMs = 60_000): Promise<ApiResult> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({
      socketPath: socket, path, method, agent: false,
      headers: data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {},
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - start }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(data);
  });
}

/** The daemon's error message from a failed API answer. */
export function apiError(r: ApiResult): string {
  try {
    const m = (JSON.parse(r.body) as { message?: string }).message;
    if (m) return `${r.status}: ${m}`.slice(0, 160);
  } catch { /* not JSON */ }
  return `${r.status}: ${r.body.trim()}`.slice(0, 160);
}

/** GETs `path` and counts the body without keeping it (a 100 MB log stream); time to the last byte. */
export function apiDrain(socket: string, path: string, timeoutMs = 180_000): Promise<{ status: number; bytes: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = http.request({ socketPath: socket, path, method: 'GET', agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => { bytes += c.length; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, ms: performance.now() - start }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
