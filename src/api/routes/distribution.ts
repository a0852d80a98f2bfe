// Registry endpoints: pull (POST /images/create?fromImage=), push, /auth, /distribution/{name}/json and
// /images/search. Pull and push answer as Docker does: an error before the first progress message is a
// plain HTTP error (404 for an unknown manifest); after it, it travels in the JSON stream.
import type { ServerResponse } from 'node:http';
import type { Router } from '../router.js';
import type { Engine } from '../../engine/engine.js';
import { filtersQuery, intQuery, readJsonBody, sendJson, startStream, type RequestContext } from '../context.js';
import { errorMessage, invalidArgument } from '../../errors.js';
import { log } from '../../util/log.js';
import type { ProgressMessage } from '../../images/progress.js';
import { parseReference } from '../../images/reference.js';
import { decodeRegistryAuth, type Credentials } from '../../registry/client/auth.js';

/** A progress stream whose 200 goes out with the first message, so early failures keep their status. */
function lazyStream(ctx: RequestContext): { emit: (m: ProgressMessage) => void; started: () => boolean; res: () => ServerResponse } {
  let res: ServerResponse | undefined;
  return {
    emit: (m) => {
      res ??= startStream(ctx);
      if (!res.destroyed) res.write(JSON.stringify(m) + '\r\n');
    },
    started: () => res !== undefined,
    res: () => (res ??= startStream(ctx)),
  };
}

function credentials(ctx: RequestContext): Credentials {
  const h = ctx.req.headers['x-registry-auth'];
  return decodeRegistryAuth(Array.isArray(h) ? h[0] : h);
}

async function streamed(ctx: RequestContext, work: (emit: (m: ProgressMessage) => void) => Promise<void>): Promise<void> {
  const s = lazyStream(ctx);
  try {
    await work(s.emit);
    s.res().end();
  } catch (err) {
    if (!s.started()) throw err;
    log.debug('registry stream error', { err: String(err) });
    const message = errorMessage(err);
    const res = s.res();
    if (!res.destroyed) res.end(JSON.stringify({ errorDetail: { message }, error: message }) + '\r\n');
  }
}

/** POST /images/create?fromImage=NAME&tag=TAG|DIGEST[&platform=os/arch]. */
export async function pullRoute(engine: Engine, ctx: RequestContext): Promise<void> {
  const q = ctx.query;
  const fromImage = q.get('fromImage') ?? '';
  const tag = q.get('tag') ?? '';
  const joined = tag ? fromImage + (/^[a-z0-9]+:[a-f0-9]{32,}$/.test(tag) ? `@${tag}` : `:${tag}`) : fromImage;
  const parsed = parseReference(joined);
  const ref = parsed.tag === undefined && parsed.digest === undefined ? { ...parsed, tag: 'latest' } : parsed;
  const platform = q.get('platform') || undefined;
  const creds = credentials(ctx);
  await streamed(ctx, async (emit) => { await engine.registry.pull(ref, { platform, creds, emit }); });
}

/** /images/{name}/push, /auth, /distribution/{name}/json, /images/search. */
export function registerDistributionRoutes(router: Router, engine: Engine): void {
  router.post('/images/{name*}/push', async (ctx) => {
    const creds = credentials(ctx);
    const tag = ctx.query.get('tag') || undefined;
    await streamed(ctx, (emit) => engine.registry.push(ctx.params.name, tag, creds, emit));
  });

  router.post('/auth', async (ctx) => {
    const body = await readJsonBody<Record<string, unknown>>(ctx, {});
    const str = (k: string) => (typeof body[k] === 'string' && body[k] !== '' ? (body[k] as string) : undefined);
    for (const k of Object.keys(body)) {
      if (!['username', 'password', 'email', 'serveraddress', 'identitytoken', 'registrytoken', 'auth'].includes(k)) throw invalidArgument(`unknown field ${JSON.stringify(k)} in the auth request`);
    }
    let username = str('username');
    let password = str('password');
    const auth = str('auth');
    if (auth && username === undefined) {
      const plain = Buffer.from(auth, 'base64').toString('utf8');
      const i = plain.indexOf(':');
      if (i < 0) throw invalidArgument('invalid auth field: want base64 of user:password');
      username = plain.slice(0, i); password = plain.slice(i + 1);
    }
    sendJson(ctx, 200, await engine.registry.login(str('serveraddress'), { username, password, identityToken: str('identitytoken'), registryToken: str('registrytoken') }));
  });

  router.get('/distribution/{name*}/json', async (ctx) => {
    sendJson(ctx, 200, await engine.registry.distribution(ctx.params.name, credentials(ctx)));
  });

  router.get('/images/search', async (ctx) => {
    const term = ctx.query.get('term') ?? '';
    const limit = intQuery(ctx.query, 'limit') ?? 25;
    if (limit < 1 || limit > 100) throw invalidArgument(`limit ${limit} is outside the range of [1, 100]`);
    const f = filtersQuery(ctx.query);
    for (const k of Object.keys(f)) if (!['stars', 'is-official', 'is-automated'].includes(k)) throw invalidArgument(`invalid filter '${k}'`);
    let results = await engine.registry.search(term, limit, credentials(ctx));
    const last = (k: string) => f[k]?.[f[k].length - 1];
    if (last('stars') !== undefined) {
      const n = Number(last('stars'));
      if (!Number.isInteger(n)) throw invalidArgument(`invalid filter 'stars=${last('stars')}'`);
      results = results.filter((r) => r.star_count >= n);
    }
    for (const [k, field] of [['is-official', 'is_official'], ['is-automated', 'is_automated']] as const) {
      const v = last(k);
      if (v === undefined) continue;
      if (v !== 'true' && v !== 'false') throw invalidArgument(`invalid filter '${k}=${v}'`);
      results = results.filter((r) => r[field] === (v === 'true'));
    }
    sendJson(ctx, 200, results);
  });
}
