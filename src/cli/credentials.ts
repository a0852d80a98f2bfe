// Registry credentials as the docker CLI keeps them: $DOCKER_CONFIG/config.json (default ~/.docker),
// `auths` keyed by registry (`https://index.docker.io/v1/` for Docker Hub), `auth` = base64(user:password).
// Shared with the docker CLI on purpose: `docker login` then `berth pull` just works, and the reverse.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const HUB_KEY = 'https://index.docker.io/v1/';

interface AuthEntry { auth?: string; identitytoken?: string }
interface ConfigFile { auths?: Record<string, AuthEntry>; [k: string]: unknown }

export interface StoredCredentials { username: string; password: string; identitytoken?: string; serveraddress: string }

function configPath(env: Record<string, string | undefined>): string {
  return join(env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker'), 'config.json');
}

function readConfig(env: Record<string, string | undefined>): ConfigFile {
  const p = configPath(env);
  if (!existsSync(p)) return {};
  try { return JSON.parse(readFileSync(p, 'utf8')) as ConfigFile; } catch { return {}; }
}

function writeConfig(env: Record<string, string | undefined>, cfg: ConfigFile): void {
  const p = configPath(env);
  mkdirSync(join(p, '..'), { recursive: true, mode: 0o700 });
  writeFileSync(`${p}.tmp`, JSON.stringify(cfg, null, '\t') + '\n', { mode: 0o600 });
  renameSync(`${p}.tmp`, p);
}

/** `docker.io`, `index.docker.io` and the Hub URL all mean Docker Hub; anything else by host[:port]. */
export function registryKey(server: string | undefined): string {
  if (!server) return HUB_KEY;
  const host = server.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  return ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'].includes(host) ? HUB_KEY : host;
}

/** The registry an image reference lives in (`127.0.0.1:5000/x` → `127.0.0.1:5000`, `busybox` → Hub). */
export function registryOfImage(ref: string): string {
  const first = ref.split('/')[0];
  return ref.includes('/') && (/[.:]/.test(first) || first === 'localhost') ? first : HUB_KEY;
}

export function loadCredentials(env: Record<string, string | undefined>, server: string): StoredCredentials | undefined {
  const key = registryKey(server);
  const cfg = readConfig(env);
  const entry = cfg.auths?.[key] ?? Object.entries(cfg.auths ?? {}).find(([k]) => registryKey(k) === key)?.[1];
  if (!entry?.auth && !entry?.identitytoken) return undefined;
  const plain = entry.auth ? Buffer.from(entry.auth, 'base64').toString('utf8') : ':';
  const i = plain.indexOf(':');
  return { username: plain.slice(0, i), password: plain.slice(i + 1), identitytoken: entry.identitytoken, serveraddress: key };
}

export function saveCredentials(env: Record<string, string | undefined>, c: StoredCredentials): void {
  const cfg = readConfig(env);
  cfg.auths ??= {};
  cfg.auths[registryKey(c.serveraddress)] = { auth: Buffer.from(`${c.username}:${c.password}`).toString('base64'), ...(c.identitytoken ? { identitytoken: c.identitytoken } : {}) };
  writeConfig(env, cfg);
}

export function removeCredentials(env: Record<string, string | undefined>, server: string): boolean {
  const cfg = readConfig(env);
  const key = registryKey(server);
  if (!cfg.auths?.[key]) return false;
  delete cfg.auths[key];
  writeConfig(env, cfg);
  return true;
}

/** The `X-Registry-Auth` header value (base64url JSON) for `server`, `{}` when not logged in. */
export function registryAuthHeader(env: Record<string, string | undefined>, server: string): string {
  const c = loadCredentials(env, server);
  const body = c ? { username: c.username, password: c.password, serveraddress: c.serveraddress, ...(c.identitytoken ? { identitytoken: c.identitytoken } : {}) } : {};
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}
