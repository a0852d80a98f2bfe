// The Distribution API server: node:http (or https) over a RegistryStorage, with optional htpasswd auth.
// One dispatch function maps routes to handlers; every failure becomes the spec's error body here.
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { errorBody, errorStatus, regError } from './errors.js';
import { log } from '../../util/log.js';
import { invalidArgument } from '../../errors.js';
import { allowedMethods, matchRoute, type Route } from './handlers/routes.js';
import { sendJson, type Ctx } from './handlers/http.js';
import * as blobs from './handlers/blobs.js';
import * as manifests from './handlers/manifests.js';
import type { Htpasswd } from './handlers/auth.js';
import type { RegistryStorage } from './storage/registry-storage.js';

export interface RegistryServerOptions {
  storage: RegistryStorage;
  auth?: Htpasswd;
  tls?: { cert: string; key: string };
}

async function dispatch(ctx: Ctx, storage: RegistryStorage, route: Route): Promise<void> {
  const m = ctx.req.method ?? 'GET';
  switch (route.kind) {
    case 'base': return sendJson(ctx, 200, {});
    case 'catalog': return manifests.catalog(ctx, storage);
    case 'tags': return manifests.listTags(ctx, storage, route.name);
    case 'referrers': return manifests.referrers(ctx, storage, route.name, route.digest);
    case 'manifest':
      if (m === 'PUT') return manifests.putManifest(ctx, storage, route.name, route.ref);
      if (m === 'DELETE') return manifests.deleteManifest(ctx, storage, route.name, route.ref);
      return manifests.getManifest(ctx, storage, route.name, route.ref);
    case 'blob':
      if (m === 'DELETE') return blobs.deleteBlob(ctx, storage, route.name, route.digest);
      return blobs.getBlob(ctx, storage, route.name, route.digest);
    case 'uploads': return blobs.startUpload(ctx, storage, route.name);
    case 'upload':
      if (m === 'PATCH') return blobs.patchUpload(ctx, storage, route.name, route.uuid);
      if (m === 'PUT') return blobs.finishUpload(ctx, storage, route.name, route.uuid);
      if (m === 'DELETE') return blobs.cancelUpload(ctx, storage, route.name, route.uuid);
      return blobs.uploadStatus(ctx, storage, route.name, route.uuid);
  }
}

export function registryHandler(opts: RegistryServerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    const ctx: Ctx = { req, res, url: new URL(req.url ?? '/', 'http://registry.invalid') };
    const run = async (): Promise<void> => {
      if (opts.auth) {
        try {
          await opts.auth.check(req.headers.authorization);
        } catch (err) {
          res.setHeader('WWW-Authenticate', opts.auth.challenge());
          throw err;
        }
      }
      const route = matchRoute(ctx.url.pathname);
      if (!route) throw regError('NAME_UNKNOWN', 'not found', { path: ctx.url.pathname });
      if (!allowedMethods[route.kind].includes(req.method ?? '')) {
        res.setHeader('Allow', allowedMethods[route.kind].join(', '));
        throw regError('UNSUPPORTED', 'the operation is unsupported', { method: req.method });
      }
      await dispatch(ctx, opts.storage, route);
    };
    run().catch((err: unknown) => {
      // Mid-response failures are mostly clients going away (a cancelled pull): nothing to answer.
      if (res.headersSent) { log.debug('registry response cut short', { url: req.url, err: String(err) }); res.destroy(); return; }
      const status = errorStatus(err);
      if (status >= 500) log.error('registry request failed', { method: req.method, url: req.url, err: String(err) });
      req.resume();
      sendJson(ctx, status, errorBody(err));
    });
  };
}

export function createRegistryServer(opts: RegistryServerOptions): Server {
  const handler = registryHandler(opts);
  const server = opts.tls ? https.createServer({ cert: readFileSync(opts.tls.cert), key: readFileSync(opts.tls.key) }, handler) : http.createServer(handler);
  // Node cuts requests off after 5 minutes by default; a multi-gigabyte layer over a slow link takes longer.
  server.requestTimeout = 0;
  return server;
}

/** `HOST:PORT`, `:PORT` or `[v6]:PORT` → listen arguments. */
export function parseAddr(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw invalidArgument(`invalid listen address ${JSON.stringify(addr)}: want HOST:PORT`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** Listens on `addr` and resolves with the bound address (port 0 picks a free port). */
export function listen(server: Server, addr: string): Promise<AddressInfo> {
  const { host, port } = parseAddr(addr);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
