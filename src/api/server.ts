// HTTP front of berthd: one request pipeline for plain and upgrade requests, Docker's common headers,
// and the single error -> status translation.
import http, { type IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { log } from '../util/log.js';
import { API_VERSION, type RequestContext } from './context.js';
import { errorBody, httpStatusOf } from './errors.js';
import { Router } from './router.js';

export const SERVER_HEADERS: Record<string, string> = {
  'Api-Version': API_VERSION,
  'Docker-Experimental': 'false',
  Ostype: 'linux',
  Server: 'Berth/0.1.0 (linux)',
};

export function createRequestListener(router: Router) {
  async function handle(req: IncomingMessage, res: ServerResponse, upgrade?: { socket: Duplex; head: Buffer }): Promise<void> {
    for (const [k, v] of Object.entries(SERVER_HEADERS)) res.setHeader(k, v);
    const url = new URL(req.url ?? '/', 'http://berth');
    try {
      const { version, path } = Router.splitVersion(url.pathname);
      const { handler, params } = router.match(req.method ?? 'GET', path);
      const ctx: RequestContext = { req, res, params, query: url.searchParams, apiVersion: version, upgrade };
      await handler(ctx);
    } catch (err) {
      const status = httpStatusOf(err);
      if (status >= 500) log.error('handler error', { method: req.method, url: req.url, err: String(err), stack: (err as Error)?.stack });
      else log.debug('request error', { method: req.method, url: req.url, status, err: String(err) });
      if (res.headersSent) { res.destroy(); return; }
      if (status === 304) { res.writeHead(304); res.end(); return; }
      const body = JSON.stringify(errorBody(err)) + '\n';
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    }
  }

  return {
    request(req: IncomingMessage, res: ServerResponse): void {
      log.debug('request', { method: req.method, url: req.url });
      void handle(req, res);
    },
    /** `Connection: Upgrade` requests: give them a ServerResponse on the raw socket for errors. */
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      log.debug('upgrade request', { method: req.method, url: req.url });
      const res = new ServerResponse(req);
      res.assignSocket(socket as Socket);
      res.shouldKeepAlive = false;
      res.on('finish', () => { res.detachSocket(socket as Socket); socket.end(); });
      socket.on('error', () => undefined);
      void handle(req, res, { socket, head });
    },
  };
}

export function createHttpServer(router: Router): http.Server {
  const listener = createRequestListener(router);
  const server = http.createServer({ keepAliveTimeout: 60_000, requestTimeout: 0 }, listener.request);
  server.on('upgrade', listener.upgrade);
  server.on('clientError', (_err, socket) => { if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'); });
  return server;
}
