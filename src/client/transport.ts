// HTTP to berthd over a UNIX socket or TCP (optionally TLS with client certificates), with Docker's
// error shapes: non-2xx answers become DaemonError, unreachable daemons ConnectError. Hijacked requests
// (attach) send `Connection: Upgrade` / `Upgrade: tcp` and hand back the raw duplex after `101`.
import type { IncomingMessage, ClientRequest, RequestOptions as HttpRequestOptions } from 'node:http';
import type { RequestOptions as HttpsRequestOptions } from 'node:https';
import { existsSync, readFileSync } from 'node:fs';
import type { Duplex, Readable, Writable } from 'node:stream';
import { rawRequest, type RawTarget } from './raw-http.js';
import type { DaemonAddress } from './host.js';
import { ConnectError, DaemonError, daemonMessage, isConnectFailure } from './errors.js';

export const CLIENT_API_VERSION = '1.50';

/** Arrays repeat the parameter (`names=a&names=b`), as Go's url.Values does. */
export type QueryValue = string | number | boolean | string[] | undefined | null;

export interface RequestOptions {
  method: string;
  /** API path without the version prefix, e.g. `/containers/json`. */
  path: string;
  query?: Record<string, QueryValue>;
  /** Sent as JSON with `Content-Type: application/json`. */
  json?: unknown;
  /** A raw body (tar archives): streamed with chunked encoding. */
  body?: Readable | Buffer;
  headers?: Record<string, string>;
}

/** A response whose body is still streaming (node's IncomingMessage or the plain-socket client's). */
export interface ApiResponse extends Readable {
  statusCode?: number;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * A hijacked connection: container output to read, stdin to write, and a half-close for EOF. `output`
 * may start paused: read it with pipe(), async iteration, or 'data' plus resume().
 */
export interface HijackedStream {
  output: Readable;
  input: Writable;
  /** Tells the daemon stdin is done while output keeps flowing. */
  closeWrite(): void;
  close(): void;
  contentType: string;
}

export function buildQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === false) continue;
    if (Array.isArray(v)) { for (const item of v) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(item)}`); continue; }
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(v === true ? '1' : String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function readIfExists(path: string | undefined): Buffer | undefined {
  return path && existsSync(path) ? readFileSync(path) : undefined;
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export class Transport {
  private tlsOptions?: HttpsRequestOptions;
  /** node:http(s) (and tls/crypto behind it) cost several ms to load: only TLS hosts pay for them. */
  private nodeRequest?: typeof import('node:https').request;

  constructor(readonly address: DaemonAddress) {}

  private baseOptions(method: string, path: string, headers: Record<string, string>): HttpRequestOptions {
    const fullPath = `/v${CLIENT_API_VERSION}${path}`;
    const base: HttpRequestOptions = { method, path: fullPath, headers: { 'User-Agent': 'Berth-Client/0.1.0', ...headers } };
    if (this.address.kind === 'unix') return { ...base, socketPath: this.address.path, headers: { Host: 'api.moby.localhost', ...base.headers } };
    const tcp = { ...base, host: this.address.hostname, port: this.address.port };
    if (!this.address.tls) return tcp;
    if (!this.tlsOptions) {
      const t = this.address.tls;
      this.tlsOptions = { ca: readIfExists(t.ca), cert: readIfExists(t.cert), key: readIfExists(t.key), rejectUnauthorized: t.verify, minVersion: 'TLSv1.2' };
    }
    return { ...tcp, ...this.tlsOptions };
  }

  private async open(opts: RequestOptions, extraHeaders: Record<string, string> = {}): Promise<ClientRequest> {
    this.nodeRequest ??= this.address.kind === 'tcp' && this.address.tls ? (await import('node:https')).request : (await import('node:http')).request;
    const headers: Record<string, string> = { ...extraHeaders, ...opts.headers };
    if (opts.json !== undefined) headers['Content-Type'] = 'application/json';
    const path = opts.path + buildQuery(opts.query);
    const reqOpts = this.baseOptions(opts.method, path, headers);
    return this.nodeRequest(reqOpts);
  }

  private sendBody(req: ClientRequest, opts: RequestOptions): void {
    if (opts.json !== undefined) {
      const data = JSON.stringify(opts.json);
      req.setHeader('Content-Length', Buffer.byteLength(data));
      req.end(data);
    } else if (Buffer.isBuffer(opts.body)) {
      req.setHeader('Content-Length', opts.body.length);
      req.end(opts.body);
    } else if (opts.body) {
      opts.body.on('error', (err) => req.destroy(err));
      opts.body.pipe(req);
    } else {
      req.end();
    }
  }

  /** Plain sockets (no TLS) use the small built-in HTTP client, which starts faster than node:http. */
  private rawTarget(): RawTarget | undefined {
    if (this.address.kind === 'unix') return { path: this.address.path };
    if (!this.address.tls) return { host: this.address.hostname, port: this.address.port };
    return undefined;
  }

  private rawHeaders(opts: RequestOptions, extra: Record<string, string>): Record<string, string> {
    const headers: Record<string, string> = { 'User-Agent': 'Berth-Client/0.1.0', ...extra, ...opts.headers };
    if (opts.json !== undefined) headers['Content-Type'] = 'application/json';
    return headers;
  }

  private rawBody(opts: RequestOptions): Buffer | Readable | undefined {
    return opts.json !== undefined ? Buffer.from(JSON.stringify(opts.json)) : opts.body;
  }

  private rawPath(opts: RequestOptions): string {
    return `/v${CLIENT_API_VERSION}${opts.path}${buildQuery(opts.query)}`;
  }

  private failure(err: Error): Error {
    return isConnectFailure(err) ? new ConnectError(this.address.url, err) : err;
  }

  /** Sends a request; resolves with the response once its status is 2xx/3xx (body not yet read). */
  async request(opts: RequestOptions): Promise<ApiResponse> {
    const raw = this.rawTarget();
    if (raw) {
      let r: Awaited<ReturnType<typeof rawRequest>>;
      try {
        r = await rawRequest(raw, { method: opts.method, path: this.rawPath(opts), headers: this.rawHeaders(opts, {}), body: this.rawBody(opts) });
      } catch (err) { throw this.failure(err as Error); }
      if ('upgraded' in r) { r.upgraded.destroy(); throw new Error('unexpected protocol upgrade'); }
      const status = r.response.statusCode;
      if (status >= 400) throw new DaemonError(status, daemonMessage(status, await readAll(r.response)));
      return r.response;
    }
    const req = await this.open(opts);
    return new Promise((resolve, reject) => {
      req.on('error', (err) => reject(this.failure(err)));
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        if (status < 400) { resolve(res); return; }
        readAll(res).then((body) => reject(new DaemonError(status, daemonMessage(status, body))), reject);
      });
      this.sendBody(req, opts);
    });
  }

  /** A request whose whole response body is read as text. */
  async text(opts: RequestOptions): Promise<string> {
    return readAll(await this.request(opts));
  }

  /** A request whose response body is JSON (or empty: undefined). */
  async json<T>(opts: RequestOptions): Promise<T> {
    const body = await this.text(opts);
    return (body.trim() === '' ? undefined : JSON.parse(body)) as T;
  }

  /** Attach-style request: upgrades the connection and returns the raw stream. */
  async hijack(opts: RequestOptions): Promise<HijackedStream> {
    const raw = this.rawTarget();
    if (raw) {
      const extra: Record<string, string> = { Connection: 'Upgrade', Upgrade: 'tcp', ...(opts.json === undefined ? { 'Content-Type': 'text/plain' } : {}) };
      let r: Awaited<ReturnType<typeof rawRequest>>;
      try {
        r = await rawRequest(raw, { method: opts.method, path: this.rawPath(opts), headers: this.rawHeaders(opts, extra), body: this.rawBody(opts) ?? Buffer.alloc(0) });
      } catch (err) { throw this.failure(err as Error); }
      if ('upgraded' in r) {
        const sock = r.upgraded;
        return { output: sock, input: sock, closeWrite: () => sock.end(), close: () => sock.destroy(), contentType: r.headers['content-type'] ?? '' };
      }
      const res = r.response;
      if (res.statusCode >= 400) throw new DaemonError(res.statusCode, daemonMessage(res.statusCode, await readAll(res)));
      // A daemon that answers 200 without upgrading: output only.
      return { output: res, input: res, closeWrite: () => undefined, close: () => res.destroy(), contentType: res.headers['content-type'] ?? '' };
    }
    const req = await this.open(opts, { Connection: 'Upgrade', Upgrade: 'tcp', ...(opts.json === undefined ? { 'Content-Type': 'text/plain' } : {}) });
    return new Promise((resolve, reject) => {
      req.on('error', (err) => reject(this.failure(err)));
      req.on('upgrade', (res: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (head.length) socket.unshift(head);
        resolve({
          output: socket,
          input: socket,
          closeWrite: () => socket.end(),
          close: () => socket.destroy(),
          contentType: String(res.headers['content-type'] ?? ''),
        });
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 400) {
          readAll(res).then((body) => reject(new DaemonError(status, daemonMessage(status, body))), reject);
          return;
        }
        // A daemon that answers 200 instead of upgrading: output is the body, input the request.
        resolve({ output: res, input: req, closeWrite: () => req.end(), close: () => { res.destroy(); req.destroy(); }, contentType: String(res.headers['content-type'] ?? '') });
      });
      // An explicit length keeps node from chunk-encoding, whose terminator would land in the raw stream.
      const data = opts.json === undefined ? '' : JSON.stringify(opts.json);
      req.setHeader('Content-Length', Buffer.byteLength(data));
      req.end(data);
    });
  }
}

/** Yields each non-empty line of a newline-delimited stream. */
export async function* textLines(stream: Readable): AsyncGenerator<string> {
  let buf = '';
  for await (const chunk of stream) {
    buf += (chunk as Buffer).toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) yield line;
    }
  }
  if (buf.trim()) yield buf.trim();
}

/** Yields each JSON value of a newline-delimited JSON stream. */
export async function* jsonLines<T>(stream: Readable): AsyncGenerator<T> {
  for await (const line of textLines(stream)) yield JSON.parse(line) as T;
}
