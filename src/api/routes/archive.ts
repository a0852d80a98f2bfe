// /containers/{id}/archive (docker cp: HEAD stat, GET out, PUT in), /changes (docker diff), /export.
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { Router } from '../router.js';
import type { Engine } from '../../engine/engine.js';
import { boolQuery, sendJson, type RequestContext } from '../context.js';
import { ArchiveService } from '../../engine/archive/archive-service.js';
import { pathStatHeader } from '../../fs/path-stat.js';
import { invalidArgument } from '../../errors.js';

const STAT_HEADER = 'X-Docker-Container-Path-Stat';

function pathQuery(ctx: RequestContext): string {
  const p = ctx.query.get('path');
  if (!p) throw invalidArgument('path cannot be empty');
  return p;
}

/** Streams a tar to the client; a failure half-way cuts the connection (the client sees a short tar). */
async function sendTar(ctx: RequestContext, tar: Readable, headers: Record<string, string> = {}): Promise<void> {
  ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar', ...headers });
  ctx.res.on('close', () => { if (!tar.readableEnded) tar.destroy(); });
  await pipeline(tar, ctx.res).catch(() => ctx.res.destroy());
}

export function registerArchiveRoutes(router: Router, engine: Engine): void {
  const archive = new ArchiveService(engine.containers);

  router.head('/containers/{id}/archive', async (ctx) => {
    const stat = await archive.stat(ctx.params.id, pathQuery(ctx));
    ctx.res.writeHead(200, { [STAT_HEADER]: pathStatHeader(stat), 'Content-Type': 'application/json' });
    ctx.res.end();
  });

  router.get('/containers/{id}/archive', async (ctx) => {
    const { stat, tar } = await archive.get(ctx.params.id, pathQuery(ctx));
    await sendTar(ctx, tar, { [STAT_HEADER]: pathStatHeader(stat) });
  });

  router.put('/containers/{id}/archive', async (ctx) => {
    await archive.put(ctx.params.id, pathQuery(ctx), ctx.req, {
      noOverwriteDirNonDir: boolQuery(ctx.query, 'noOverwriteDirNonDir'),
      copyUIDGID: boolQuery(ctx.query, 'copyUIDGID'),
    });
    ctx.res.writeHead(200, { 'Content-Length': 0 });
    ctx.res.end();
  });

  router.get('/containers/{id}/changes', async (ctx) => {
    sendJson(ctx, 200, await archive.changes(ctx.params.id));
  });

  router.get('/containers/{id}/export', async (ctx) => {
    await sendTar(ctx, await archive.export(ctx.params.id));
  });
}
