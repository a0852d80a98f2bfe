// /containers/* endpoints: HTTP in, ContainerService calls, Docker's shapes and streams out.
import type { Router } from '../router.js';
import type { Engine } from '../../engine/engine.js';
import {
  boolQuery, checkFilterKeys, enumQuery, filtersQuery, hijack, intQuery, sendJson, sendNoContent, startStream, streamContentType,
} from '../context.js';
import { readDecodedBody } from '../decode/body.js';
import { refuseUnsupportedCreateFields } from '../decode/refused.js';
import { conflict, invalidArgument, errorMessage } from '../../errors.js';
import type { CreateRequest, ContainerRecord } from '../../model/container.js';
import { compileListFilters, labelMatches } from '../../engine/containers/list-filters.js';
import { inspectView, summaryView } from '../../engine/containers/views.js';
import { linkNamesByTarget, linksView } from '../../engine/containers/links.js';
import { attachStdin } from '../../engine/containers/container-streams.js';
import { DEFAULT_DETACH_KEYS, parseDetachKeys, withDetachKeys } from '../../engine/exec/detach-keys.js';
import { checkLogsReadable, streamAttach, streamLogs } from '../../engine/containers/log-streams.js';
import { writableSink } from '../../engine/containers/log-reader.js';
import { top } from '../../engine/containers/top.js';
import { checkImagePlatform } from '../../images/platform.js';
import type { WaitCondition } from '../../engine/containers/container-service.js';

/** Docker's time arguments: unix seconds with optional fraction, RFC 3339, or a duration ago ("10m"). */
export function parseTimeArg(v: string, now = Date.now()): bigint {
  if (/^\d+(\.\d+)?$/.test(v)) {
    const [s, frac = ''] = v.split('.');
    return BigInt(s) * 1_000_000_000n + BigInt((frac + '000000000').slice(0, 9));
  }
  const d = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)$/.exec(v);
  if (d) {
    const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
    return BigInt(Math.round(now - Number(d[1]) * unit[d[2]])) * 1_000_000n;
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalidArgument(`invalid time value ${v}`);
  return BigInt(t) * 1_000_000n;
}

function imageOf(rec: ContainerRecord): string {
  return String(rec.Config.Image ?? rec.Image);
}

export function registerContainerRoutes(router: Router, engine: Engine): void {
  const svc = engine.containers;

  router.get('/containers/json', async (ctx) => {
    const q = ctx.query;
    const all = boolQuery(q, 'all');
    const limit = intQuery(q, 'limit') ?? -1;
    const f = filtersQuery(q);
    checkFilterKeys(f, ['ancestor', 'before', 'expose', 'exited', 'health', 'id', 'isolation', 'is-task', 'label', 'name', 'network', 'publish', 'since', 'status', 'volume']);
    const size = boolQuery(q, 'size');
    const ancestors = new Map<string, string | undefined>();
    for (const a of f.ancestor ?? []) ancestors.set(a, await engine.images.resolve(a).then((i) => i.id, () => undefined));
    const match = compileListFilters(f, {
      imageIdOf: (a) => ancestors.get(a),
      resolve: (ref) => { try { return svc.resolve(ref); } catch { return undefined; } },
    });
    // Without `all`, only running containers, unless a status/exited filter or a limit says otherwise.
    const everything = all || limit > 0 || !!f.status?.length || !!f.exited?.length;
    let recs = svc.store.all()
      .filter((r) => (everything || svc.isRunning(r)) && match(r))
      .sort((a, b) => Date.parse(b.Created) - Date.parse(a.Created));
    if (limit > 0) recs = recs.slice(0, limit);
    const out = [];
    const linkNames = linkNamesByTarget(svc.store);
    for (const r of recs) {
      const view = summaryView(r, imageOf(r), size ? await svc.sizes(r) : {});
      // A linked container is also known by its parents' names for it (`/parent/alias`), sorted as dockerd lists them.
      const extra = linkNames.get(r.Id);
      if (extra) view.Names = [r.Name, ...extra].sort();
      out.push(view);
    }
    sendJson(ctx, 200, out);
  });

  router.post('/containers/create', async (ctx) => {
    const { value: body, empty } = await readDecodedBody<CreateRequest>(ctx, 'ContainerCreate');
    if (empty) throw invalidArgument('Config cannot be empty in order to create a container');
    refuseUnsupportedCreateFields(body);
    for (const e of body.Env ?? []) if (e === '' || e.startsWith('=')) throw invalidArgument(`invalid environment variable: ${e}`);
    const name = ctx.query.get('name') || undefined;
    const platform = ctx.query.get('platform');
    if (platform && body.Image) checkImagePlatform(await engine.images.resolve(body.Image), body.Image, platform);
    sendJson(ctx, 201, await svc.create(body, name));
  });

  router.post('/containers/prune', async (ctx) => {
    const f = filtersQuery(ctx.query);
    checkFilterKeys(f, ['until', 'label', 'label!']);
    const until = (f.until ?? []).map((u) => parseTimeArg(u));
    const filter = (r: ContainerRecord) =>
      until.every((u) => BigInt(Date.parse(r.Created)) * 1_000_000n < u)
      && (f.label ?? []).every((l) => labelMatches(r.Config.Labels ?? {}, l))
      && (f['label!'] ?? []).every((l) => !labelMatches(r.Config.Labels ?? {}, l));
    sendJson(ctx, 200, await svc.prune(filter));
  });

  router.get('/containers/{id*}/json', async (ctx) => { // {id*}: a link name (parent/alias) names its target
    const rec = svc.resolve(ctx.params.id);
    const sizes = boolQuery(ctx.query, 'size') ? await svc.sizes(rec) : {};
    const view = inspectView(rec, svc.paths, sizes);
    // HostConfig.Links as dockerd shows them: the registered links, `/target:/parent/alias`.
    view.HostConfig = { ...rec.HostConfig, Links: linksView(svc.store, rec) };
    sendJson(ctx, 200, { ...view, ExecIDs: engine.exec.idsFor(rec.Id) });
  });

  router.get('/containers/{id}/top', async (ctx) => {
    const rec = svc.resolve(ctx.params.id);
    if (!svc.isRunning(rec)) throw conflict(`Container ${rec.Id} is not running`);
    sendJson(ctx, 200, await top(svc.pids(rec), ctx.query.get('ps_args') ?? '-ef'));
  });

  router.get('/containers/{id}/logs', async (ctx) => {
    const rec = svc.resolve(ctx.params.id);
    const q = ctx.query;
    const stdout = boolQuery(q, 'stdout');
    const stderr = boolQuery(q, 'stderr');
    if (!stdout && !stderr) throw invalidArgument('You must choose at least one stream');
    const tail = q.get('tail') === 'all' ? undefined : intQuery(q, 'tail');
    const since = q.get('since');
    const until = q.get('until');
    const tty = !!rec.Config.Tty;
    checkLogsReadable(rec);
    const opts = {
      stdout, stderr, follow: boolQuery(q, 'follow'), tail, timestamps: boolQuery(q, 'timestamps'),
      sinceNano: since && since !== '0' ? parseTimeArg(since) : undefined,
      untilNano: until && until !== '0' ? parseTimeArg(until) : undefined,
    };
    const res = startStream(ctx, streamContentType(ctx.apiVersion, tty));
    await streamLogs(svc, rec, opts, writableSink(res));
    res.end();
  });

  router.post('/containers/{id}/start', async (ctx) => {
    await svc.start(ctx.params.id);
    sendNoContent(ctx);
  });

  router.post('/containers/{id}/stop', async (ctx) => {
    await svc.stop(ctx.params.id, { timeout: intQuery(ctx.query, 't'), signal: ctx.query.get('signal') ?? undefined });
    sendNoContent(ctx);
  });

  router.post('/containers/{id}/restart', async (ctx) => {
    await svc.restart(ctx.params.id, { timeout: intQuery(ctx.query, 't'), signal: ctx.query.get('signal') ?? undefined });
    sendNoContent(ctx);
  });

  router.post('/containers/{id}/kill', async (ctx) => {
    await svc.kill(ctx.params.id, ctx.query.get('signal') ?? undefined);
    sendNoContent(ctx);
  });

  router.post('/containers/{id}/pause', async (ctx) => {
    await svc.setPaused(ctx.params.id, true);
    sendNoContent(ctx);
  });

  router.post('/containers/{id}/unpause', async (ctx) => {
    await svc.setPaused(ctx.params.id, false);
    sendNoContent(ctx);
  });

  router.post('/containers/{id}/rename', async (ctx) => {
    await svc.rename(ctx.params.id, ctx.query.get('name') ?? '');
    sendNoContent(ctx);
  });

  router.post('/containers/{id}/resize', async (ctx) => {
    await svc.resize(ctx.params.id, intQuery(ctx.query, 'h', { min: 0, max: 65535 }) ?? 0, intQuery(ctx.query, 'w', { min: 0, max: 65535 }) ?? 0);
    ctx.res.writeHead(200, { 'Content-Length': 0 });
    ctx.res.end();
  });

  router.post('/containers/{id}/wait', async (ctx) => {
    const rec = svc.resolve(ctx.params.id);
    const condition = enumQuery<WaitCondition>(ctx.query, 'condition', ['not-running', 'next-exit', 'removed'], 'not-running');
    // The docker CLI waits for these headers before it calls start.
    const res = startStream(ctx);
    try {
      // A client that hangs up takes its waiter with it (no listener left behind).
      const gone = new AbortController();
      ctx.res.once('close', () => gone.abort());
      const code = await svc.wait(rec.Id, condition, gone.signal);
      res.end(JSON.stringify({ StatusCode: code }) + '\n');
    } catch (err) {
      res.end(JSON.stringify({ StatusCode: -1, Error: { Message: errorMessage(err) } }) + '\n');
    }
  });

  router.post('/containers/{id}/attach', async (ctx) => {
    const rec = svc.resolve(ctx.params.id);
    const q = ctx.query;
    const tty = !!rec.Config.Tty;
    // With a tty, the detach keys (ctrl-p,ctrl-q or ?detachKeys=) end this client's session, as Docker does.
    const detachKeys = tty ? parseDetachKeys(q.get('detachKeys') || DEFAULT_DETACH_KEYS) : undefined;
    const streams = { stream: boolQuery(q, 'stream'), logs: boolQuery(q, 'logs'), stdout: boolQuery(q, 'stdout'), stderr: boolQuery(q, 'stderr') };
    const wantStdin = boolQuery(q, 'stdin');
    const sock = await hijack(ctx, tty);
    sock.on('error', () => undefined);
    // stdin goes to the container when it has one (OpenStdin); otherwise it is drained and dropped.
    const withStdin = wantStdin && !!rec.Config.OpenStdin;
    const stdinSource = withStdin && detachKeys ? withDetachKeys(sock, detachKeys, () => sock.end()) : sock;
    const stopStdin = withStdin ? attachStdin(svc, rec, stdinSource) : (sock.on('data', () => undefined), () => undefined);
    sock.on('close', stopStdin);
    engine.events.publish('container', 'attach', rec.Id, svc.attributes(rec));
    try {
      await streamAttach(svc, rec, streams, writableSink(sock));
    } finally {
      sock.end();
    }
  });

  // `{id*}`: a link name (`parent/alias`) has a slash; as a container reference it names the link's target.
  router.delete('/containers/{id*}', async (ctx) => {
    if (boolQuery(ctx.query, 'link')) { await svc.links.remove(ctx.params.id); sendNoContent(ctx); return; }
    // `rm -v`: the container's anonymous volumes go with it, named ones stay.
    const anonymous = boolQuery(ctx.query, 'v') ? engine.volumeMounts.anonymousVolumes(svc.resolve(ctx.params.id)) : [];
    await svc.remove(ctx.params.id, { force: boolQuery(ctx.query, 'force') });
    await engine.volumeMounts.removeVolumes(anonymous);
    sendNoContent(ctx);
  });
}
