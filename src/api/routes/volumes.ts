// /volumes: Docker's local volumes (list, create, inspect, remove, prune).
import type { Router } from '../router.js';
import type { Engine } from '../../engine/engine.js';
import { boolQuery, filtersQuery, sendJson, sendNoContent } from '../context.js';
import { readDecodedBody } from '../decode/body.js';
import type { VolumeCreateRequest } from '../../volumes/types.js';
import { invalidArgument } from '../../errors.js';
import { isUnset } from '../decode/refused.js';

export function registerVolumeRoutes(router: Router, engine: Engine): void {
  const svc = engine.volumes;

  router.get('/volumes', (ctx) => {
    sendJson(ctx, 200, { Volumes: svc.list(filtersQuery(ctx.query)), Warnings: [] });
  });

  router.post('/volumes/create', async (ctx) => {
    const { value: body } = await readDecodedBody<VolumeCreateRequest & { ClusterVolumeSpec?: unknown }>(ctx, 'VolumeCreate');
    if (!isUnset(body.ClusterVolumeSpec)) throw invalidArgument('ClusterVolumeSpec is not supported by Berth: cluster volumes need swarm mode');
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
