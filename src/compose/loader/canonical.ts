// Per-file canonical form, before files are merged: each service's short syntaxes in their long form and
// relative paths made absolute against the file's base directory (the project directory for `-f` files,
// the file's own directory for `include` and `extends`), so merging compares like with like.
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { isDict, type Dict } from './yaml-file.js';
import { parsePortShort, parseVolumeShort, toList, toMapping } from './syntax.js';

function absPath(p: string, base: string): string {
  if (p === '~' || p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(base, p);
}

/** Remote build contexts (git, URLs) stay as written. */
function isRemote(ctx: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(ctx) || ctx.startsWith('git@');
}

function canonicalBuild(v: unknown, base: string): Dict {
  const b: Dict = typeof v === 'string' ? { context: v } : { ...(v as Dict) };
  const ctx = String(b.context ?? '.');
  b.context = isRemote(ctx) ? ctx : absPath(ctx, base);
  if (b.args !== undefined) b.args = toMapping(b.args, 'build.args');
  if (b.labels !== undefined) b.labels = toMapping(b.labels, 'build.labels');
  return b;
}

function canonicalDependsOn(v: unknown): Dict {
  if (Array.isArray(v)) return Object.fromEntries(v.map((s) => [String(s), { condition: 'service_started', required: true }]));
  const out: Dict = {};
  for (const [k, d] of Object.entries((v ?? {}) as Dict)) out[k] = { condition: 'service_started', required: true, ...(d as Dict) };
  return out;
}

function canonicalNetworks(v: unknown): Dict {
  if (Array.isArray(v)) return Object.fromEntries(v.map((s) => [String(s), null]));
  return { ...((v ?? {}) as Dict) };
}

function canonicalVolume(v: unknown, base: string, where: string): Dict {
  const vol: Dict = typeof v === 'string' ? parseVolumeShort(v, where) : { ...(v as Dict) };
  if (vol.type === 'bind' && typeof vol.source === 'string') vol.source = absPath(vol.source, base);
  return vol;
}

function canonicalFileRef(v: unknown): Dict {
  return typeof v === 'string' ? { source: v } : { ...(v as Dict) };
}

function canonicalExtraHosts(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((s) => String(s).replace('=', ':'));
  return Object.entries((v ?? {}) as Dict).flatMap(([host, ip]) => toList(ip).map((i) => `${host}:${i}`));
}

export function canonicalService(svc: Dict, base: string, where: string): Dict {
  const s: Dict = { ...svc };
  if (s.build !== undefined) s.build = canonicalBuild(s.build, base);
  if (s.environment !== undefined) s.environment = toMapping(s.environment, `${where}.environment`);
  if (s.labels !== undefined) s.labels = toMapping(s.labels, `${where}.labels`);
  if (s.sysctls !== undefined) s.sysctls = toMapping(s.sysctls, `${where}.sysctls`);
  if (s.env_file !== undefined) {
    const files = Array.isArray(s.env_file) ? s.env_file : [s.env_file];
    s.env_file = files.map((f) => (typeof f === 'string' ? { path: absPath(f, base), required: true } : { required: true, ...(f as Dict), path: absPath(String((f as Dict).path), base) }));
  }
  if (s.ports !== undefined) {
    s.ports = (s.ports as unknown[]).flatMap((p, i) => (typeof p === 'string' || typeof p === 'number' ? parsePortShort(p, `${where}.ports.${i}`) : [{ protocol: 'tcp', mode: 'ingress', ...(p as Dict) }]));
  }
  if (s.volumes !== undefined) s.volumes = (s.volumes as unknown[]).map((v, i) => canonicalVolume(v, base, `${where}.volumes.${i}`));
  if (s.depends_on !== undefined) s.depends_on = canonicalDependsOn(s.depends_on);
  if (s.networks !== undefined) s.networks = canonicalNetworks(s.networks);
  if (s.extra_hosts !== undefined) s.extra_hosts = canonicalExtraHosts(s.extra_hosts);
  for (const k of ['dns', 'dns_search', 'tmpfs', 'cap_add', 'cap_drop', 'expose', 'profiles']) if (s[k] !== undefined) s[k] = toList(s[k]);
  for (const k of ['secrets', 'configs']) if (Array.isArray(s[k])) s[k] = (s[k] as unknown[]).map(canonicalFileRef);
  if (isDict(s.extends)) {
    const e = { ...s.extends };
    if (typeof e.file === 'string') e.file = absPath(e.file, base);
    s.extends = e;
  } else if (typeof s.extends === 'string') s.extends = { service: s.extends };
  if (isDict(s.develop) && Array.isArray(s.develop.watch)) {
    s.develop = { ...s.develop, watch: (s.develop.watch as Dict[]).map((w) => ({ ...w, path: absPath(String(w.path), base) })) };
  }
  return s;
}

/** Top-level secrets/configs `file:` paths. */
function canonicalFileObjects(v: unknown, base: string): Dict {
  const out: Dict = {};
  for (const [k, o] of Object.entries((v ?? {}) as Dict)) {
    const obj = { ...((o ?? {}) as Dict) };
    if (typeof obj.file === 'string') obj.file = absPath(obj.file, base);
    out[k] = obj;
  }
  return out;
}

export function canonicalFile(dict: Dict, base: string): Dict {
  const out: Dict = { ...dict };
  if (isDict(dict.services)) {
    const services: Dict = {};
    for (const [name, svc] of Object.entries(dict.services)) services[name] = canonicalService((svc ?? {}) as Dict, base, `services.${name}`);
    out.services = services;
  }
  if (dict.secrets !== undefined) out.secrets = canonicalFileObjects(dict.secrets, base);
  if (dict.configs !== undefined) out.configs = canonicalFileObjects(dict.configs, base);
  return out;
}
