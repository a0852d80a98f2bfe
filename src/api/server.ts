// HTTP front of berthd: one request pipeline for plain and upgrade requests, Docker's common headers,
// the single error -> status translation, and the one place servers (unix, tcp, tls) are built.
import http, { type IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { log } from '../util/log.js';
import { invalidArgument } from '../errors.js';
import { API_VERSION, type RequestContext } from './context.js';
import { errorBody, httpStatusOf } from './errors.js';
import { Router } from './router.js';

export const SERVER_HEADERS: Record<string, string> = {
  'Api-Version': API_VERSION,
  'Docker-Experimental': 'false',
  Ostype: 'linux',
  Server: 'Berth/0.1.0 (linux)',
};

/** Request heads bigger than this get a 431 (X-Registry-Auth headers are a few KiB at most). */
export const MAX_HEADER_SIZE = 64 * 1024;

interface Target { path: string; query: URLSearchParams }

/** Path and query of a request target, without `new URL` (which throws on `//`-style targets). */
export function parseTarget(raw: string | undefined): Target {
  const target = raw ?? '/';
  if (!target.startsWith('/')) throw invalidArgument(`invalid request target: ${JSON.stringify(target.slice(0, 100))}`);
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  let path: string;
  try { path = decodeURIComponent(rawPath); } catch { throw invalidArgument(`invalid URL escape in ${JSON.stringify(rawPath.slice(0, 100))}`); }
  if (path.includes('\0')) throw invalidArgument('invalid request path');
  return { path: rawPath, query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)) };
}

/** Go's path.Clean, which Docker's router applies (answering 301 to the clean path). */
export function cleanPath(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop(); else out.push(seg);
  }
  const clean = '/' + out.join('/');
  return p.endsWith('/') && clean !== '/' ? clean + '/' : clean;
}

export function createRequestListener(router: Router) {
  async function handle(req: IncomingMessage, res: ServerResponse, upgrade?: { socket: Duplex; head: Buffer }): Promise<void> {
    try {
      for (const [k, v] of Object.entries(SERVER_HEADERS)) res.setHeader(k, v);
      const target = parseTarget(req.url);
      const clean = cleanPath(target.path);
      if (clean !== target.path) {
        const qs = target.query.toString();
        res.writeHead(301, { Location: clean + (qs ? `?${qs}` : ''), 'Content-Length': 0 });
        res.end();
        return;
      }
      const { version, path } = Router.splitVersion(target.path);
      const { handler, params } = router.match(req.method ?? 'GET', path);
      const ctx: RequestContext = { req, res, params, query: target.query, apiVersion: version, upgrade };
      await handler(ctx);
    } catch (err) {
      sendError(req, res, err);
    }
  }

  function run(req: IncomingMessage, res: ServerResponse, upgrade?: { socket: Duplex; head: Buffer }): void {
    // A last guard: whatever escapes `handle` (it should be nothing) is logged, never a crash.
    handle(req, res, upgrade).catch((err) => {
      log.error('request failed outside the handler', { method: req.method, url: req.url, err: String(err) });
      res.destroy();
    });
  }

  return {
    request(req: IncomingMessage, res: ServerResponse): void {
      log.debug('request', { method: req.method, url: req.url });
      run(req, res);
    },
    /** `Connection: Upgrade` requests: give them a ServerResponse on the raw socket for errors. */
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      log.debug('upgrade request', { method: req.method, url: req.url });
      socket.on('error', () => undefined);
      const res = new ServerResponse(req);
      res.assignSocket(socket as Socket);
      res.shouldKeepAlive = false;
      res.on('finish', () => { res.detachSocket(socket as Socket); socket.end(); });
      run(req, res, { socket, head });
    },
  };
}

function sendError(req: IncomingMessage, res: ServerResponse, err: unknown): void {
  const status = httpStatusOf(err);
  if (status >= 500) log.error('handler error', { method: req.method, url: req.url, err: String(err), stack: (err as Error)?.stack });
  else log.debug('request error', { method: req.method, url: req.url, status, err: String(err) });
  if (res.headersSent || res.destroyed) { res.destroy(); return; }
  if (status === 304) { res.writeHead(304); res.end(); return; }
  const body = JSON.stringify(errorBody(err)) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** A malformed request line, bad header or oversize head: Docker-shaped 400/431, then the connection closes. */
function onClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const tooBig = err.code === 'HPE_HEADER_OVERFLOW';
  log.debug('bad request from client', { code: err.code, err: err.message });
  if (!socket.writable || (err.code === 'ECONNRESET')) { socket.destroy(); return; }
  const body = JSON.stringify({ message: tooBig ? 'request headers too large' : `bad request: ${err.code ?? err.message}` }) + '\n';
  const status = tooBig ? '431 Request Header Fields Too Large' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

export interface TlsOptions { cert: Buffer; key: Buffer; ca?: Buffer; requestCert: boolean }

/**
 * The API server, plain or TLS. No request timeout: pulls, loads and copies may upload for longer
 * than Node's 300 s default, and hijacked streams live as long as the container.
 */
export function createHttpServer(router: Router, tls?: TlsOptions): http.Server {
  const listener = createRequestListener(router);
  const common = { keepAliveTimeout: 60_000, requestTimeout: 0, headersTimeout: 60_000, maxHeaderSize: MAX_HEADER_SIZE };
  const server: http.Server = tls
    ? https.createServer({
      ...common, cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: tls.requestCert, rejectUnauthorized: tls.requestCert, minVersion: 'TLSv1.2',
    }, listener.request)
    : http.createServer(common, listener.request);
  server.on('upgrade', listener.upgrade);
  server.on('clientError', onClientError);
  // A TLS handshake that fails (no or bad client certificate) is that client's problem, not the daemon's.
  server.on('tlsClientError', (err: Error) => log.debug('TLS handshake failed', { err: err.message }));
  return server;
}
