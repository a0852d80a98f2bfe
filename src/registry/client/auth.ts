// Registry authentication: the challenge a registry answers /v2/ with (`WWW-Authenticate: Basic` or
// `Bearer realm=…,service=…,scope=…`), credentials from `X-Registry-Auth`, and bearer tokens cached per
// registry and scope until they expire.
import { invalidArgument } from '../../errors.js';

export interface Credentials {
  username?: string;
  password?: string;
  /** A refresh token a previous login returned. */
  identityToken?: string;
  /** A bearer token to send as is. */
  registryToken?: string;
}

export interface Challenge { scheme: 'basic' | 'bearer'; params: Record<string, string> }

/** Parses `Bearer realm="…",service="…"` (several challenges in one header are rare; the first wins). */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const scheme = m[1].toLowerCase();
  if (scheme !== 'basic' && scheme !== 'bearer') return undefined;
  const params: Record<string, string> = {};
  const re = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?/g;
  let p: RegExpExecArray | null;
  while ((p = re.exec(m[2])) !== null) params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
  return { scheme, params };
}

/** Decodes the `X-Registry-Auth` header (base64url JSON, as the docker CLI sends it). */
export function decodeRegistryAuth(header: string | undefined): Credentials {
  if (!header) return {};
  let raw: Record<string, unknown>;
  try {
    const json = Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    raw = json.trim() === '' ? {} : (JSON.parse(json) as Record<string, unknown>);
  } catch {
    throw invalidArgument('invalid X-Registry-Auth header: not base64-encoded JSON');
  }
  if (raw === null || typeof raw !== 'object') return {};
  const str = (k: string) => (typeof raw[k] === 'string' && raw[k] !== '' ? (raw[k] as string) : undefined);
  return { username: str('username'), password: str('password'), identityToken: str('identitytoken'), registryToken: str('registrytoken') };
}

/** X-Registry-Config (`docker build`): base64 JSON of auth configs keyed by server address; `auth` is
 * base64 `user:password`. Keys become registry names (`https://index.docker.io/v1/` → `docker.io`). */
export function decodeRegistryConfig(header: string | undefined, registryOf: (addr: string) => string): Record<string, Credentials> {
  if (!header) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8') || '{}');
  } catch {
    throw invalidArgument('invalid X-Registry-Config header: not base64-encoded JSON');
  }
  const out: Record<string, Credentials> = {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return out;
  for (const [addr, v] of Object.entries(raw as Record<string, unknown>)) {
    if (!v || typeof v !== 'object') continue;
    const c = v as Record<string, unknown>;
    const str = (k: string) => (typeof c[k] === 'string' && c[k] !== '' ? (c[k] as string) : undefined);
    let username = str('username');
    let password = str('password');
    const auth = str('auth');
    if (username === undefined && auth) {
      const plain = Buffer.from(auth, 'base64').toString('utf8');
      const colon = plain.indexOf(':');
      if (colon > 0) { username = plain.slice(0, colon); password = plain.slice(colon + 1); }
    }
    out[registryOf(addr)] = { username, password, identityToken: str('identitytoken'), registryToken: str('registrytoken') };
  }
  return out;
}

export function basicHeader(c: Credentials): string | undefined {
  if (c.username === undefined) return undefined;
  return 'Basic ' + Buffer.from(`${c.username}:${c.password ?? ''}`).toString('base64');
}

interface CachedToken { token: string; expires: number }

/** Bearer tokens by registry, identity and scope; a token is reused until 30 s before it expires. */
export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();

  private key(registry: string, creds: Credentials, scope: string): string {
    return `${registry}\0${creds.username ?? ''}\0${creds.password ?? ''}\0${creds.identityToken ?? ''}\0${scope}`;
  }

  get(registry: string, creds: Credentials, scope: string): string | undefined {
    const k = this.key(registry, creds, scope);
    const t = this.tokens.get(k);
    if (t && t.expires > Date.now()) return t.token;
    this.tokens.delete(k);
    return undefined;
  }

  set(registry: string, creds: Credentials, scope: string, token: string, expiresInS: number): void {
    if (this.tokens.size > 1000) this.tokens.clear();
    this.tokens.set(this.key(registry, creds, scope), { token, expires: Date.now() + Math.max(30, expiresInS - 30) * 1000 });
  }

  drop(registry: string, creds: Credentials, scope: string): void {
    this.tokens.delete(this.key(registry, creds, scope));
  }
}
