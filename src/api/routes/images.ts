// /images/* endpoints: list, inspect, history, tag, remove, prune, load, save (get), import and the
// pull entry point (POST /images/create), with Docker's JSON progress streams.
import type { ServerResponse } from 'node:http';
import type { Router } from '../router.js';
import type { Engine } from '../../engine/engine.js';
import { boolQuery, filtersQuery, sendJson, startStream, type RequestContext } from '../context.js';
import { BerthError, errorMessage, invalidArgument, notFound, notImplemented } from '../../errors.js';
import { log } from '../../util/log.js';
import type { ProgressMessage } from '../../images/progress.js';
import { parsePlatform, requireLinux } from '../../images/platform.js';
import { pullRoute } from './distribution.js';

/** True when the client speaks API `v` or older (e.g. `olderThan(ctx, '1.44')`). */
function olderThan(ctx: RequestContext, v: string): boolean {
  const num = (x: string) => { const [a, b] = x.split('.').map(Number); return a * 1000 + (b ?? 0); };
  return num(ctx.apiVersion) < num(v);
}

/** Writes one JSON message per line, as Docker's progress streams do. */
function jsonLines(res: ServerResponse): (m: ProgressMessage) => void {
  return (m) => { if (!res.destroyed) res.write(JSON.stringify(m) + '\r\n'); };
}

/** Errors after the 200 went out travel in the stream, where the docker CLI prints them. */
function streamError(res: ServerResponse, err: unknown): void {
  log.debug('image stream error', { err: String(err) });
  const message = errorMessage(err);
  if (!res.destroyed) res.end(JSON.stringify({ errorDetail: { message }, error: message }) + '\r\n');
}

async function load(engine: Engine, ctx: RequestContext): Promise<void> {
  const quiet = boolQuery(ctx.query, 'quiet');
  const spool = await engine.images.spoolArchive(ctx.req);
  const res = startStream(ctx);
  try {
    await engine.images.loadSpool(spool, quiet, jsonLines(res));
    res.end();
  } catch (err) {
    streamError(res, err);
  }
}

async function save(engine: Engine, ctx: RequestContext, names: string[]): Promise<void> {
  if (names.length === 0) throw invalidArgument('no images specified');
  const tar = await engine.images.save(names);
  const res = startStream(ctx, 'application/x-tar');
  tar.on('error', (err) => { log.warn('save failed mid-stream', { err: String(err) }); res.destroy(err); });
  // A client that goes away must not leave the packer waiting on backpressure forever.
  res.on('close', () => { if (!res.writableFinished) tar.destroy(); });
  tar.pipe(res);
}

async function create(engine: Engine, ctx: RequestContext): Promise<void> {
  const q = ctx.query;
  const fromSrc = q.get('fromSrc');
  const fromImage = q.get('fromImage');
  if (fromSrc !== null) {
    if (fromSrc !== '-') throw notImplemented(`importing from ${fromSrc} is not supported: send the archive as the request body (fromSrc=-)`);
    const opts = {
      repo: q.get('repo') ?? undefined, tag: q.get('tag') ?? undefined, changes: q.getAll('changes'),
      message: q.get('message') ?? undefined, platform: q.get('platform') ?? undefined, source: '-',
    };
    if (opts.platform) requireLinux(parsePlatform(opts.platform)); // a 400 before the stream starts, as dockerd
    const res = startStream(ctx);
    const emit = jsonLines(res);
    try {
      const rec = await engine.images.importTar(ctx.req, opts, emit);
      emit({ status: rec.id });
      res.end();
    } catch (err) {
      streamError(res, err);
    }
    return;
  }
  if (fromImage) return await pullRoute(engine, ctx);
  throw invalidArgument('fromImage or fromSrc is required');
}

/** /images/* endpoints. */
export function registerImageRoutes(router: Router, engine: Engine): void {
  const images = engine.images;

  router.get('/images/json', async (ctx) => {
    const list = images.list({ all: boolQuery(ctx.query, 'all'), digests: boolQuery(ctx.query, 'digests'), filters: filtersQuery(ctx.query) });
    if (boolQuery(ctx.query, 'shared-size')) {
      const shared = new Map((await images.diskUsage()).Images.map((i) => [i.Id, i.SharedSize]));
      for (const i of list) i.SharedSize = shared.get(i.Id) ?? -1;
    }
    // API < 1.44 clients still read VirtualSize.
    sendJson(ctx, 200, olderThan(ctx, '1.44') ? list.map((i) => ({ ...i, VirtualSize: i.Size })) : list);
  });
  router.post('/images/create', (ctx) => create(engine, ctx));
  router.post('/images/load', (ctx) => load(engine, ctx));
  router.get('/images/get', (ctx) => save(engine, ctx, ctx.query.getAll('names').flatMap((n) => n.split(',')).filter(Boolean)));
  router.post('/images/prune', async (ctx) => { sendJson(ctx, 200, await images.prune(filtersQuery(ctx.query))); });

  router.get('/images/{name*}/json', async (ctx) => {
    const body = await images.inspect(ctx.params.name);
    if (olderThan(ctx, '1.44')) body.VirtualSize = body.Size;
    if (olderThan(ctx, '1.45')) { body.Container = ''; body.ContainerConfig = body.Config; }
    sendJson(ctx, 200, body);
  });
  router.get('/images/{name*}/history', async (ctx) => { sendJson(ctx, 200, await images.history(ctx.params.name)); });
  router.get('/images/{name*}/get', (ctx) => save(engine, ctx, [ctx.params.name]));
  router.post('/images/{name*}/tag', async (ctx) => {
    await images.tag(ctx.params.name, ctx.query.get('repo') ?? '', ctx.query.get('tag') ?? '');
    ctx.res.writeHead(201, { 'Content-Length': 0 });
    ctx.res.end();
  });
  router.delete('/images/{name*}', async (ctx) => {
    sendJson(ctx, 200, await images.remove(ctx.params.name, boolQuery(ctx.query, 'force'), boolQuery(ctx.query, 'noprune')));
  });
}
