// Per-request context handed to route handlers, and the helpers every handler uses to read input and
// write Docker-shaped output. Upgrade (hijack) requests get the same context, with `upgrade` set.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { invalidArgument } from '../errors.js';

export const API_VERSION = '1.50';
export const MIN_API_VERSION = '1.24';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The version the client asked for (from the path), or the server's own. */
  apiVersion: string;
  /** Set when the client sent `Connection: Upgrade`: the raw socket and the bytes read past the headers. */
  upgrade?: { socket: Duplex; head: Buffer };
}

export function sendJson(ctx: RequestContext, status: number, body: unknown): void {
  const data = JSON.stringify(body) + '\n';
  ctx.res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
  ctx.res.end(data);
}

export function sendNoContent(ctx: RequestContext, status = 204): void {
  ctx.res.writeHead(status);
  ctx.res.end();
}

export function sendText(ctx: RequestContext, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  ctx.res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  ctx.res.end(text);
}

/** Reads the whole request body (for upgrade requests too, where it arrives on the raw socket). */
export async function readBody(ctx: RequestContext, limit = 64 * 1024 * 1024): Promise<Buffer> {
  if (ctx.upgrade) {
    const len = Number(ctx.req.headers['content-length'] ?? 0);
    if (!len) return ctx.upgrade.head;
    const chunks: Buffer[] = [ctx.upgrade.head];
    let have = ctx.upgrade.head.length;
    const sock = ctx.upgrade.socket;
    while (have < len) {
      const chunk = await new Promise<Buffer | null>((resolve) => {
        const onData = (c: Buffer) => { cleanup(); resolve(c); };
        const onEnd = () => { cleanup(); resolve(null); };
        const cleanup = () => { sock.off('data', onData); sock.off('end', onEnd); sock.off('close', onEnd); sock.pause(); };
        sock.on('data', onData); sock.once('end', onEnd); sock.once('close', onEnd); sock.resume();
      });
      if (!chunk) break;
      chunks.push(chunk); have += chunk.length;
    }
    const all = Buffer.concat(chunks);
    ctx.upgrade.head = all.subarray(len);
    return all.subarray(0, len);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw invalidArgument('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON body; an empty body gives `fallback`. Malformed JSON is a 400, as in Docker. */
export async function readJsonBody<T>(ctx: RequestContext, fallback: T): Promise<T> {
  const body = await readBody(ctx);
  if (body.length === 0 || body.toString().trim() === '') return fallback;
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch (err) {
    throw invalidArgument(`invalid JSON: ${(err as Error).message}`);
  }
}

/** Docker's boolean query values: 1/true/True are true; absent gives `dflt`. */
export function boolQuery(q: URLSearchParams, name: string, dflt = false): boolean {
  const v = q.get(name);
  if (v === null || v === '') return dflt;
  return !['0', 'false', 'False', 'FALSE', 'no'].includes(v);
}

export function intQuery(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw invalidArgument(`invalid value for ${name}: ${v}`);
  return n;
}

import { checkFilterKeys, type Filters } from '../model/filters.js';

export { checkFilterKeys, type Filters };

/** Docker's `filters` query: `{"label":{"a=b":true}}` (current) or `{"label":["a=b"]}` (old clients). */
export function filtersQuery(q: URLSearchParams): Filters {
  const raw = q.get('filters');
  if (!raw) return {};
  let parsed: unknown;
  try { parsed = JSON.parse(raw); } catch { throw invalidArgument(`invalid filter '${raw}'`); }
  if (!parsed || typeof parsed !== 'object') throw invalidArgument(`invalid filter '${raw}'`);
  const out: Filters = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(v)) out[k] = v.map(String);
    else if (v && typeof v === 'object') out[k] = Object.entries(v as Record<string, unknown>).filter(([, on]) => on).map(([s]) => s);
    else throw invalidArgument(`invalid filter '${raw}'`);
  }
  return out;
}

/**
 * Takes over the connection for a raw stream (attach, exec start). With `Upgrade: tcp` this answers
 * `101 UPGRADED` as Docker does; without it, a 200 whose body is the raw stream.
 */
export function hijack(ctx: RequestContext, tty: boolean): Duplex {
  const contentType = tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream';
  if (ctx.upgrade) {
    const sock = ctx.upgrade.socket;
    sock.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nApi-Version: ${API_VERSION}\r\n\r\n`);
    if (ctx.upgrade.head.length) sock.unshift(ctx.upgrade.head);
    return sock;
  }
  const sock = ctx.req.socket;
  // Plain request: write the head ourselves and keep the socket, as Docker's hijack does.
  ctx.res.detachSocket(sock);
  sock.write(`HTTP/1.1 200 OK\r\nContent-Type: ${contentType}\r\nApi-Version: ${API_VERSION}\r\n\r\n`);
  return sock;
}

/** Starts a streamed response (events, logs, progress, wait) and flushes the headers at once. */
export function startStream(ctx: RequestContext, contentType = 'application/json', status = 200): ServerResponse {
  ctx.res.writeHead(status, { 'Content-Type': contentType });
  ctx.res.flushHeaders();
  return ctx.res;
}
