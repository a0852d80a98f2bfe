// /networks endpoints: list, inspect, create, remove, connect, disconnect, prune.
import type { Router } from '../router.js';
import type { Engine } from '../../engine/engine.js';
import { boolQuery, checkFilterKeys, filtersQuery, sendJson, sendNoContent, type Filters, type RequestContext } from '../context.js';
import { readDecodedBody } from '../decode/body.js';
import { invalidArgument } from '../../errors.js';
import { labelMatches } from '../../engine/containers/list-filters.js';
import { attachedContainers, networkView } from '../../network/network-views.js';
import type { EndpointConfig, NetworkCreateRequest } from '../../network/network-service.js';
import { PREDEFINED, type NetworkRecord } from '../../model/network.js';
import { parseTimeArg } from './containers.js';

const any = (vals: string[] | undefined, pred: (v: string) => boolean) => !vals?.length || vals.some(pred);

/** Docker's network list filters. */
export function networkMatches(net: NetworkRecord, f: Filters, inUse: boolean): boolean {
  const builtin = (PREDEFINED as readonly string[]).includes(net.Name);
  for (const t of f.type ?? []) if (t !== 'custom' && t !== 'builtin') throw invalidArgument(`invalid filter: 'type'='${t}'`);
  for (const d of f.dangling ?? []) if (!['true', 'false', '1', '0'].includes(d)) throw invalidArgument(`invalid filter 'dangling=${d}'`);
  return any(f.name, (v) => net.Name.includes(v))
    && any(f.id, (v) => net.Id.startsWith(v))
    && any(f.driver, (v) => net.Driver === v)
    && any(f.scope, (v) => v === 'local')
    && any(f.type, (v) => (v === 'builtin') === builtin)
    && any(f.dangling, (v) => (v === 'true' || v === '1') === (!inUse && !builtin))
    && (f.label ?? []).every((l) => labelMatches(net.Labels ?? {}, l));
}

export function registerNetworkRoutes(router: Router, engine: Engine): void {
  const svc = engine.networks;
  const recs = () => engine.containers.store.all();
  const inUse = (net: NetworkRecord) => recs().some((r) => Object.values(r.NetworkSettings?.Networks ?? {}).some((e) => e.NetworkID === net.Id));

  // Docker serves the list at `/networks/` too (its router registers both).
  const list = async (ctx: RequestContext) => {
    const f = filtersQuery(ctx.query);
    checkFilterKeys(f, ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type']);
    const out = svc.store.all()
      .filter((n) => networkMatches(n, f, inUse(n)))
      .sort((a, b) => Date.parse(a.Created) - Date.parse(b.Created))
      .map((n) => networkView(n, recs(), false));
    sendJson(ctx, 200, out);
  };
  router.get('/networks', list);
  router.get('/networks/', list);

  router.get('/networks/{id}', async (ctx) => {
    const net = svc.get(ctx.params.id);
    const verbose = boolQuery(ctx.query, 'verbose');
    const view = networkView(net, recs(), true);
    if (verbose) view.Containers = attachedContainers(net, recs());
    sendJson(ctx, 200, view);
  });

  router.post('/networks/create', async (ctx) => {
    const { value: body } = await readDecodedBody<NetworkCreateRequest>(ctx, 'NetworkCreate');
    sendJson(ctx, 201, await svc.create(body));
  });

  router.delete('/networks/{id}', async (ctx) => {
    await svc.remove(ctx.params.id);
    sendNoContent(ctx);
  });

  router.post('/networks/{id}/connect', async (ctx) => {
    const { value: body } = await readDecodedBody<{ Container?: string; EndpointConfig?: EndpointConfig | null }>(ctx, 'NetworkConnect');
    if (!body.Container) throw invalidArgument('no container specified');
    await svc.connect(ctx.params.id, body.Container, body.EndpointConfig ?? {});
    sendJson(ctx, 200, '');
  });

  router.post('/networks/{id}/disconnect', async (ctx) => {
    const { value: body } = await readDecodedBody<{ Container?: string; Force?: boolean }>(ctx, 'NetworkDisconnect');
    if (!body.Container) throw invalidArgument('no container specified');
    await svc.disconnect(ctx.params.id, body.Container);
    sendJson(ctx, 200, '');
  });

  router.post('/networks/prune', async (ctx) => {
    const f = filtersQuery(ctx.query);
    checkFilterKeys(f, ['until', 'label', 'label!']);
    const until = (f.until ?? []).map((u) => parseTimeArg(u));
    sendJson(ctx, 200, await svc.prune((n) =>
      until.every((u) => BigInt(Date.parse(n.Created)) * 1_000_000n < u)
      && (f.label ?? []).every((l) => labelMatches(n.Labels ?? {}, l))
      && (f['label!'] ?? []).every((l) => !labelMatches(n.Labels ?? {}, l))));
  });
}
