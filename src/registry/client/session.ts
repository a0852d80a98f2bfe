// One conversation with one registry for one set of credentials: finds the endpoint (HTTPS, or plain HTTP
// where allowed), learns the auth challenge from `GET /v2/`, fetches and caches bearer tokens per scope,
// follows redirects (credentials never go to another host) and turns registry errors into BerthErrors.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { BerthError, errorMessage } from '../../errors.js';
import { basicHeader, parseChallenge, type Challenge, type Credentials, TokenCache } from './auth.js';
import { endpointsFor, tlsMaterial, type Endpoint, type RegistrySettings } from './endpoints.js';

/** Shared by every session of the daemon: connection pools and the token cache. */
export class RegistryContext {
  readonly tokens = new TokenCache();
  private readonly agents = new Map<string, http.Agent>();
  constructor(readonly settings: RegistrySettings) {}

  agent(url: URL, registry: string, insecure: boolean): http.Agent {
    const key = `${url.protocol}//${url.host}|${insecure}`;
    let a = this.agents.get(key);
    if (!a) {
      a = url.protocol === 'http:' ? new http.Agent({ keepAlive: true, maxSockets: 16 })
        : new https.Agent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: !insecure, ...tlsMaterial(registry, this.settings.certsDir) });
      this.agents.set(key, a);
    }
    return a;
  }
}

export interface RegistryRequest {
  method?: string;
  headers?: Record<string, string | number>;
  body?: Buffer | Readable;
  /** Token scope, e.g. `repository:library/busybox:pull`. */
  scope?: string;
  /** Statuses that are answers, not errors (default: 2xx). */
  ok?: number[];
}

export interface RegistryErrorBody { errors?: Array<{ code?: string; message?: string; detail?: unknown }> }

function kindForStatus(status: number): BerthError['kind'] {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 400 || status === 405 || status === 416) return 'invalid-argument';
  return 'internal';
}

export async function readBody(res: IncomingMessage, limit = 8 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res) {
    n += (c as Buffer).length;
    if (n > limit) { res.destroy(); throw new BerthError('invalid-argument', `registry answer larger than ${limit} bytes`); }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** `errcode: message` as Docker prints registry errors (`manifest unknown: manifest unknown`). */
export async function registryError(res: IncomingMessage, what: string): Promise<BerthError> {
  const text = (await readBody(res, 1 << 20).catch(() => Buffer.alloc(0))).toString('utf8');
  let detail = '';
  try {
    const body = JSON.parse(text) as RegistryErrorBody;
    detail = (body.errors ?? []).map((e) => `${(e.code ?? 'unknown').toLowerCase().replace(/_/g, ' ')}: ${e.message ?? ''}`).join(', ');
  } catch { detail = text.trim().slice(0, 200); }
  const status = res.statusCode ?? 0;
  const err = new BerthError(kindForStatus(status), `${what}: ${detail || `${status} ${res.statusMessage ?? ''}`.trim()}`);
  (err as BerthError & { status?: number }).status = status;
  return err;
}

export function statusOf(err: unknown): number | undefined {
  return (err as { status?: number })?.status;
}

/** Connection failures worded as Docker's (Go's) are: `dial tcp: lookup HOST: no such host`. */
function dialError(err: unknown, url: URL): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `dial tcp: lookup ${url.hostname}: no such host`;
  if (code === 'ECONNREFUSED') return `dial tcp ${url.host}: connect: connection refused`;
  if (code === 'ECONNRESET') return 'connection reset by peer';
  return errorMessage(err);
}

export class RegistrySession {
  private endpoint?: { url: URL; insecure: boolean; challenge?: Challenge };

  constructor(private readonly ctx: RegistryContext, readonly registry: string, readonly creds: Credentials, private readonly chosen?: Endpoint) {}

  /** Endpoints to try in turn (mirrors first for docker.io). */
  static endpoints(ctx: RegistryContext, registry: string): Endpoint[] {
    return endpointsFor(registry, ctx.settings);
  }

  get baseUrl(): URL | undefined { return this.endpoint?.url; }

  /** `GET /v2/` over HTTPS, then plain HTTP where allowed; remembers the endpoint and its challenge. */
  async ping(): Promise<Challenge | undefined> {
    if (this.endpoint) return this.endpoint.challenge;
    const ep = this.chosen ?? RegistrySession.endpoints(this.ctx, this.registry)[0];
    const candidates = [ep.url];
    if (ep.insecure && ep.url.protocol === 'https:') candidates.push(new URL(`http://${ep.url.host}`));
    let lastErr: unknown;
    for (const base of candidates) {
      try {
        const res = await this.raw(new URL('/v2/', base), { method: 'GET' }, ep.insecure);
        res.resume();
        const challenge = res.statusCode === 401 ? parseChallenge(res.headers['www-authenticate']) : undefined;
        if (res.statusCode !== 401 && (res.statusCode ?? 500) >= 400 && res.statusCode !== 404) {
          throw new BerthError('internal', `Get "${new URL('/v2/', base)}": unexpected status ${res.statusCode}`);
        }
        this.endpoint = { url: base, insecure: ep.insecure, challenge };
        return challenge;
      } catch (err) {
        lastErr = err;
      }
    }
    throw lastErr instanceof BerthError ? lastErr : new BerthError('internal', `Get "${new URL('/v2/', candidates[0])}": ${errorMessage(lastErr)}`);
  }

  /** Checks the credentials, as `docker login` does: a token (bearer) or `/v2/` (basic) must be granted. */
  async login(): Promise<{ identityToken?: string }> {
    const challenge = await this.ping();
    const url = new URL('/v2/', this.endpoint!.url);
    if (!challenge) return {};
    if (challenge.scheme === 'bearer') {
      const token = await this.fetchToken(challenge, '', true);
      return { identityToken: token.refresh };
    }
    const res = await this.raw(url, { method: 'GET', headers: this.basicOrNothing() }, this.endpoint!.insecure);
    res.resume();
    if (res.statusCode === 401) throw new BerthError('unauthorized', `login attempt to ${url} failed with status: 401 Unauthorized`);
    return {};
  }

  private basicOrNothing(): Record<string, string> {
    const b = basicHeader(this.creds);
    return b ? { Authorization: b } : {};
  }

  private async authHeader(scope: string | undefined, fresh = false): Promise<Record<string, string>> {
    const challenge = await this.ping();
    if (!challenge) return {};
    if (challenge.scheme === 'basic') return this.basicOrNothing();
    if (this.creds.registryToken) return { Authorization: `Bearer ${this.creds.registryToken}` };
    const s = scope ?? '';
    if (fresh) this.ctx.tokens.drop(this.registry, this.creds, s);
    let token = this.ctx.tokens.get(this.registry, this.creds, s);
    if (!token) {
      const t = await this.fetchToken(challenge, s, false);
      token = t.token;
      this.ctx.tokens.set(this.registry, this.creds, s, token, t.expiresIn);
    }
    return { Authorization: `Bearer ${token}` };
  }

  /** GET the token endpoint (basic credentials when given), or POST a refresh token (OAuth2). */
  private async fetchToken(ch: Challenge, scope: string, offline: boolean): Promise<{ token: string; expiresIn: number; refresh?: string }> {
    const realm = ch.params.realm;
    if (!realm) throw new BerthError('internal', `registry ${this.registry} sent a bearer challenge without a realm`);
    const url = new URL(realm);
    if (url.protocol === 'http:' && !this.endpoint?.insecure) throw new BerthError('forbidden', `refusing to send credentials to a plain-HTTP token realm ${realm}`);
    let res: IncomingMessage;
    if (this.creds.identityToken && !this.creds.password) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: this.creds.identityToken, service: ch.params.service ?? '', client_id: 'berth', ...(scope ? { scope } : {}) });
      const body = Buffer.from(form.toString());
      res = await this.raw(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': body.length }, body }, this.endpoint?.insecure ?? false);
    } else {
      if (ch.params.service) url.searchParams.set('service', ch.params.service);
      for (const sc of scope.split(' ').filter(Boolean)) url.searchParams.append('scope', sc);
      if (offline && this.creds.username !== undefined) { url.searchParams.set('offline_token', 'true'); url.searchParams.set('client_id', 'berth'); }
      res = await this.raw(url, { method: 'GET', headers: this.basicOrNothing() }, this.endpoint?.insecure ?? false);
    }
    if (res.statusCode === 401 || res.statusCode === 403) {
      res.resume();
      throw new BerthError('unauthorized', `Get "${realm}": unauthorized: ${this.creds.username !== undefined ? 'incorrect username or password' : 'authentication required'}`);
    }
    if ((res.statusCode ?? 500) >= 300) throw await registryError(res, `token from ${realm}`);
    let body: { token?: string; access_token?: string; expires_in?: number; refresh_token?: string };
    try { body = JSON.parse((await readBody(res, 1 << 20)).toString('utf8')) as typeof body; } catch { throw new BerthError('internal', `token server ${realm} answered with something that is not JSON`); }
    const token = body.token ?? body.access_token;
    if (!token) throw new BerthError('internal', `token server ${realm} answered without a token`);
    return { token, expiresIn: typeof body.expires_in === 'number' ? body.expires_in : 60, refresh: body.refresh_token };
  }

  /**
   * A request to the registry at `path` (`/v2/…`) or an absolute URL it gave (upload locations).
   * Retries once with a fresh token on 401 when the body can be sent again.
   */
  async request(path: string, opts: RegistryRequest = {}): Promise<IncomingMessage> {
    await this.ping();
    const url = new URL(path, this.endpoint!.url);
    for (let attempt = 0; ; attempt++) {
      const auth = await this.authHeader(opts.scope, attempt > 0);
      const res = await this.follow(url, { ...opts, headers: { ...opts.headers, ...auth } });
      const replayable = opts.body === undefined || Buffer.isBuffer(opts.body);
      if (res.statusCode === 401 && attempt === 0 && replayable && !this.creds.registryToken) {
        const ch = parseChallenge(res.headers['www-authenticate']);
        res.resume();
        if (ch) this.endpoint!.challenge = ch;
        continue;
      }
      return res;
    }
  }

  /** Follows up to 5 redirects; Authorization only goes to the registry's own host. */
  private async follow(url: URL, opts: RegistryRequest): Promise<IncomingMessage> {
    let current = url;
    let headers = opts.headers ?? {};
    for (let hop = 0; hop < 6; hop++) {
      const res = await this.raw(current, { ...opts, headers }, this.endpoint?.insecure ?? false);
      const loc = res.headers.location;
      const redirect = [301, 302, 303, 307, 308].includes(res.statusCode ?? 0) && loc && (opts.method ?? 'GET').match(/^(GET|HEAD)$/);
      if (!redirect) return res;
      res.resume();
      const next = new URL(loc, current);
      if (next.host !== this.endpoint!.url.host || next.protocol !== this.endpoint!.url.protocol) {
        const { Authorization: _drop, ...rest } = headers as Record<string, string | number>;
        headers = rest;
      }
      current = next;
    }
    throw new BerthError('internal', `too many redirects from ${url}`);
  }

  private raw(url: URL, opts: RegistryRequest, insecure: boolean): Promise<IncomingMessage> {
    const mod = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const req = mod.request(url, {
        method: opts.method ?? 'GET',
        headers: { 'User-Agent': 'berth/1 (docker-compatible)', ...opts.headers },
        agent: this.ctx.agent(url, this.registry, insecure),
      }, resolve);
      req.setTimeout(60_000, () => req.destroy(new Error('no answer within 60 s')));
      req.on('error', (err) => reject(new BerthError('internal', `${opts.method === 'HEAD' ? 'Head' : opts.method === 'POST' ? 'Post' : opts.method === 'PUT' ? 'Put' : opts.method === 'PATCH' ? 'Patch' : 'Get'} "${url}": ${dialError(err, url)}`)));
      const body = opts.body;
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else {
        body.on('error', (err) => req.destroy(err));
        body.pipe(req);
      }
    });
  }
}
