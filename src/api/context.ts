// Per-request context handed to route handlers, and the helpers every handler uses to read input and
// write Docker-shaped output. Upgrade (hijack) requests get the same context, with `upgrade` set.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
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
  upgrade?: { socket: Duplex; head: Buffer; bodyRead?: boolean };
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

/** Bodies of upgrade (hijack) requests are options, never data: bounded hard, before the stream starts. */
export const UPGRADE_BODY_LIMIT = 1024 * 1024;

/** Declared Content-Length of an upgrade request (0 when absent); a bad or huge one is a 400. */
function upgradeBodyLength(ctx: RequestContext): number {
  const raw = ctx.req.headers['content-length'];
  if (raw === undefined) return 0;
  if (!/^\d{1,12}$/.test(raw)) throw invalidArgument(`invalid Content-Length: ${raw}`);
  const len = Number(raw);
  if (len > UPGRADE_BODY_LIMIT) throw invalidArgument(`request body too large for a hijacked request (${len} > ${UPGRADE_BODY_LIMIT} bytes)`);
  return len;
}

/** Reads `len` bytes of an upgrade request's body from the head and then the raw socket. */
async function takeUpgradeBytes(up: NonNullable<RequestContext['upgrade']>, len: number): Promise<Buffer> {
  const chunks: Buffer[] = [up.head];
  let have = up.head.length;
  const sock = up.socket;
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
  const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  up.head = all.subarray(Math.min(len, all.length));
  return all.subarray(0, len);
}

/** Reads the whole request body (for upgrade requests too, where it arrives on the raw socket). */
export async function readBody(ctx: RequestContext, limit = 64 * 1024 * 1024): Promise<Buffer> {
  if (ctx.upgrade) {
    if (ctx.upgrade.bodyRead) return Buffer.alloc(0);
    const len = Math.min(upgradeBodyLength(ctx), limit + 1);
    if (len > limit) throw invalidArgument('request body too large');
    ctx.upgrade.bodyRead = true;
    return takeUpgradeBytes(ctx.upgrade, len);
  }
  const declared = Number(ctx.req.headers['content-length'] ?? 0);
  if (declared > limit) throw invalidArgument(`request body too large (limit ${limit} bytes)`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw invalidArgument(`request body too large (limit ${limit} bytes)`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON body; an empty body gives `fallback`. Malformed JSON is a 400, as in Docker. */
export async function readJsonBody<T>(ctx: RequestContext, fallback: T, limit = 4 * 1024 * 1024): Promise<T> {
  const body = await readBody(ctx, limit);
  if (body.length === 0 || body.toString().trim() === '') return fallback;
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch (err) {
    throw invalidArgument(`invalid JSON: ${(err as Error).message}`);
  }
}

export { boolQuery, intQuery, enumQuery, filtersQuery, checkFilterKeys, type Filters } from './decode/query.js';

/** Docker's stream Content-Type: raw-stream for everything before API 1.42, then by TTY. */
export function streamContentType(apiVersion: string, tty: boolean): string {
  const [maj, min] = apiVersion.split('.').map(Number);
  const modern = maj > 1 || (maj === 1 && min >= 42);
  return !modern || tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream';
}

/**
 * Takes over the connection for a raw stream (attach, exec start). With `Upgrade: tcp` this answers
 * `101 UPGRADED` with Docker's header set; without it, a 200 whose body is the raw stream. The headers
 * are on the wire (the write callback fired) before this returns, so no output can share their packet
 * and a client that switches to the raw socket after reading them sees every byte. The request's own
 * body (options a client such as dockerode sends) is consumed here and never reaches the stream.
 */
export async function hijack(ctx: RequestContext, tty: boolean, opts: { serverHeaders?: boolean } = {}): Promise<Duplex> {
  const contentType = streamContentType(ctx.apiVersion, tty);
  const extra = opts.serverHeaders ? Object.entries(SERVER_HEADERS_FOR_HIJACK).map(([k, v]) => `${k}: ${v}\r\n`).join('') : '';
  let sock: Duplex;
  let head: string;
  if (ctx.upgrade) {
    if (!ctx.upgrade.bodyRead) await readBody(ctx, UPGRADE_BODY_LIMIT);
    sock = ctx.upgrade.socket;
    head = `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n${extra}\r\n`;
  } else {
    // Plain request: drain a declared body (options, never stdin), then write the head ourselves and keep
    // the socket, as Docker's hijack does. A chunked body is not waited for: it may be the client's stdin.
    if (Number(ctx.req.headers['content-length'] ?? 0) > 0) await readBody(ctx, UPGRADE_BODY_LIMIT);
    sock = ctx.req.socket;
    ctx.res.detachSocket(sock as Socket);
    head = `HTTP/1.1 200 OK\r\nContent-Type: ${contentType}\r\n${extra}\r\n`;
  }
  await new Promise<void>((resolve) => { sock.write(head, () => resolve()); });
  if (ctx.upgrade?.head.length) sock.unshift(ctx.upgrade.head);
  return sock;
}

/** Headers Docker's exec-start 101 carries beyond the upgrade's own (Go had set them on the response). */
const SERVER_HEADERS_FOR_HIJACK: Record<string, string> = {
  'Api-Version': API_VERSION, 'Docker-Experimental': 'false', Ostype: 'linux', Server: 'Berth/0.1.0 (linux)',
};

/** Starts a streamed response (events, logs, progress, wait) and flushes the headers at once. */
export function startStream(ctx: RequestContext, contentType = 'application/json', status = 200): ServerResponse {
  ctx.res.writeHead(status, { 'Content-Type': contentType });
  ctx.res.flushHeaders();
  return ctx.res;
}
