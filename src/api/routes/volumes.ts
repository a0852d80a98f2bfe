// /volumes: Docker's local volumes (list, create, inspect, remove, prune).
import type { Router } from '../router.js';
import type { Engine } from '../../engine/engine.js';
import { boolQuery, filtersQuery, readJsonBody, sendJson, sendNoContent } from '../context.js';
import type { VolumeCreateRequest } from '../../volumes/types.js';
import { invalidArgument } from '../../errors.js';

export function registerVolumeRoutes(router: Router, engine: Engine): void {
  const svc = engine.volumes;

  router.get('/volumes', (ctx) => {
    sendJson(ctx, 200, { Volumes: svc.list(filtersQuery(ctx.query)), Warnings: [] });
  });

  router.post('/volumes/create', async (ctx) => {
    const body = await readJsonBody<VolumeCreateRequest>(ctx, {});
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidArgument('invalid volume create request');
    sendJson(ctx, 201, await svc.create(body));
  });

  router.post('/volumes/prune', async (ctx) => {
    const filters = filtersQuery(ctx.query);
    // Before API 1.42, prune removed every unused volume, named or not.
    if (Number(ctx.apiVersion.split('.')[1] ?? 99) < 42 && !filters.all) filters.all = ['true'];
    sendJson(ctx, 200, await svc.prune(filters));
  });

  router.get('/volumes/{name}', (ctx) => {
    sendJson(ctx, 200, svc.inspect(ctx.params.name));
  });

  router.delete('/volumes/{name}', async (ctx) => {
    await svc.remove(ctx.params.name, { force: boolQuery(ctx.query, 'force') });
    sendNoContent(ctx);
  });
}
