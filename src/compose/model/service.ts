// One merged, canonical service mapping to the typed ServiceConfig. Keys berth compose cannot apply are
// refused by name (never silently dropped); `x-` extensions are ignored as the specification says.
import { existsSync } from 'node:fs';
import { invalidFile, unsupported } from '../errors.js';
import { readDotenvFile } from '../loader/dotenv.js';
import type { Lookup } from '../loader/interpolate.js';
import { parseBytes, parseDuration, toList, toMapping } from '../loader/syntax.js';
import { isDict, type Dict } from '../loader/yaml-file.js';
import { shellWords } from './shell-words.js';
import type { BuildConfig, DependsOn, FileReference, Healthcheck, PortConfig, ServiceConfig, ServiceNetwork, ServiceVolume, Ulimit, WatchRule } from './types.js';

const SUPPORTED = new Set([
  'build', 'image', 'pull_policy', 'container_name', 'command', 'entrypoint', 'environment', 'env_file', 'ports', 'expose',
  'volumes', 'networks', 'network_mode', 'depends_on', 'healthcheck', 'restart', 'deploy', 'scale', 'labels', 'user',
  'working_dir', 'hostname', 'domainname', 'cap_add', 'cap_drop', 'privileged', 'init', 'stop_signal', 'stop_grace_period',
  'read_only', 'tmpfs', 'ulimits', 'extra_hosts', 'dns', 'dns_search', 'sysctls', 'logging', 'secrets', 'configs', 'profiles',
  'tty', 'stdin_open', 'shm_size', 'develop', 'platform',
]);

function refuseUnknown(obj: Dict, allowed: string[], where: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k) && !k.startsWith('x-')) throw unsupported(`${where}.${k} is not supported by berth compose`);
  }
}

function command(v: unknown, where: string): string[] | null | undefined {
  if (v === undefined) return undefined;
  if (v === null) return null;
  return Array.isArray(v) ? v.map(String) : shellWords(String(v), where);
}

function str(v: unknown): string | undefined { return v === undefined || v === null ? undefined : String(v); }

function environment(s: Dict, lookup: Lookup, where: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const f of (s.env_file ?? []) as Array<{ path: string; required: boolean }>) {
    if (!f.required && !existsSync(f.path)) continue;
    Object.assign(env, readDotenvFile(f.path, lookup));
  }
  for (const [k, v] of Object.entries(toMapping(s.environment, `${where}.environment`))) {
    const value = v ?? lookup(k);
    if (value === undefined) delete env[k]; else env[k] = value;
  }
  return env;
}

function healthcheck(v: unknown, where: string): Healthcheck | undefined {
  if (!isDict(v)) return undefined;
  refuseUnknown(v, ['test', 'interval', 'timeout', 'retries', 'start_period', 'start_interval', 'disable'], `${where}.healthcheck`);
  const h: Healthcheck = {};
  if (v.disable === true) return { disable: true, test: ['NONE'] };
  if (v.test !== undefined) h.test = typeof v.test === 'string' ? ['CMD-SHELL', v.test] : (v.test as unknown[]).map(String);
  for (const k of ['interval', 'timeout', 'start_period', 'start_interval'] as const) if (v[k] !== undefined) h[k] = parseDuration(v[k], `${where}.healthcheck.${k}`);
  if (v.retries !== undefined) h.retries = Number(v.retries);
  return h;
}

function build(v: unknown, where: string): BuildConfig | undefined {
  if (!isDict(v)) return undefined;
  refuseUnknown(v, ['context', 'dockerfile', 'args', 'target', 'labels', 'no_cache', 'network', 'extra_hosts', 'shm_size', 'pull', 'tags'], `${where}.build`);
  const args: Record<string, string> = {};
  for (const [k, a] of Object.entries(toMapping(v.args, `${where}.build.args`))) if (a !== null) args[k] = a;
  const labels: Record<string, string> = {};
  for (const [k, a] of Object.entries(toMapping(v.labels, `${where}.build.labels`))) labels[k] = a ?? '';
  return {
    context: String(v.context), dockerfile: str(v.dockerfile) ?? 'Dockerfile', args, labels, target: str(v.target),
    no_cache: v.no_cache === true ? true : undefined, network: str(v.network),
    extra_hosts: v.extra_hosts ? toList(v.extra_hosts) : undefined,
    shm_size: v.shm_size !== undefined ? parseBytes(v.shm_size, `${where}.build.shm_size`) : undefined,
  };
}

function ports(v: unknown, where: string): PortConfig[] {
  return ((v ?? []) as Dict[]).map((p, i) => ({
    target: portNumber(p.target, `${where}.ports.${i}.target`),
    published: str(p.published), host_ip: str(p.host_ip),
    protocol: (str(p.protocol) ?? 'tcp') as PortConfig['protocol'], mode: (str(p.mode) ?? 'ingress') as PortConfig['mode'],
  }));
}

function portNumber(v: unknown, where: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw invalidFile(`${where}: invalid port "${String(v)}"`);
  return n;
}

function volumes(v: unknown, where: string): ServiceVolume[] {
  return ((v ?? []) as Dict[]).map((m, i) => {
    refuseUnknown(m, ['type', 'source', 'target', 'read_only', 'volume', 'bind', 'tmpfs', 'consistency'], `${where}.volumes.${i}`);
    const type = String(m.type);
    if (type !== 'volume' && type !== 'bind' && type !== 'tmpfs') throw unsupported(`${where}.volumes.${i}: volume type "${type}" is not supported by berth compose`);
    const tmpfs = isDict(m.tmpfs) ? { size: m.tmpfs.size !== undefined ? parseBytes(m.tmpfs.size, `${where}.volumes.${i}.tmpfs.size`) : undefined, mode: m.tmpfs.mode !== undefined ? Number(m.tmpfs.mode) : undefined } : undefined;
    return {
      type, source: str(m.source), target: String(m.target), read_only: m.read_only === true,
      volume: isDict(m.volume) ? { nocopy: m.volume.nocopy === true } : undefined,
      bind: isDict(m.bind) ? { create_host_path: m.bind.create_host_path !== false, propagation: str(m.bind.propagation) } : undefined,
      tmpfs,
    };
  });
}

function networks(v: unknown, networkMode: string | undefined, where: string): Record<string, ServiceNetwork> {
  if (networkMode) return {};
  const entries = Object.entries((v ?? { default: null }) as Dict);
  const out: Record<string, ServiceNetwork> = {};
  for (const [name, n] of entries) {
    if (isDict(n)) refuseUnknown(n, ['aliases', 'ipv4_address', 'priority'], `${where}.networks.${name}`);
    const d = (n ?? {}) as Dict;
    out[name] = { aliases: d.aliases ? toList(d.aliases) : undefined, ipv4_address: str(d.ipv4_address), priority: d.priority !== undefined ? Number(d.priority) : undefined };
  }
  return out;
}

function dependsOn(v: unknown): Record<string, DependsOn> {
  const out: Record<string, DependsOn> = {};
  for (const [name, d] of Object.entries((v ?? {}) as Dict)) {
    const dd = d as Dict;
    out[name] = { condition: (str(dd.condition) ?? 'service_started') as DependsOn['condition'], restart: dd.restart === true, required: dd.required !== false };
  }
  return out;
}

function ulimits(v: unknown): Record<string, Ulimit> {
  const out: Record<string, Ulimit> = {};
  for (const [k, u] of Object.entries((v ?? {}) as Dict)) {
    out[k] = typeof u === 'number' || typeof u === 'string' ? { soft: Number(u), hard: Number(u) } : { soft: Number((u as Dict).soft), hard: Number((u as Dict).hard) };
  }
  return out;
}

function fileRefs(v: unknown, kind: 'secrets' | 'configs'): FileReference[] {
  return ((v ?? []) as Dict[]).map((r) => {
    const source = String(r.source);
    const target = str(r.target) ?? (kind === 'secrets' ? `/run/secrets/${source}` : `/${source}`);
    return { source, target: kind === 'secrets' && !target.startsWith('/') ? `/run/secrets/${target}` : target, uid: str(r.uid), gid: str(r.gid), mode: r.mode !== undefined ? Number(r.mode) : undefined };
  });
}

function deploy(v: unknown, where: string): { replicas?: number; limits: ServiceConfig['limits']; restart?: string } {
  if (!isDict(v)) return { limits: {} };
  refuseUnknown(v, ['replicas', 'resources', 'restart_policy', 'mode'], `${where}.deploy`);
  if (v.mode !== undefined && v.mode !== 'replicated') throw unsupported(`${where}.deploy.mode "${String(v.mode)}" is not supported by berth compose`);
  const res = (v.resources ?? {}) as Dict;
  refuseUnknown(res, ['limits'], `${where}.deploy.resources`);
  const lim = (res.limits ?? {}) as Dict;
  refuseUnknown(lim, ['cpus', 'memory', 'pids'], `${where}.deploy.resources.limits`);
  const rp = v.restart_policy as Dict | undefined;
  const restart = rp ? ({ none: 'no', 'on-failure': 'on-failure', any: 'always' } as Record<string, string>)[String(rp.condition ?? 'any')] : undefined;
  return {
    replicas: v.replicas !== undefined ? Number(v.replicas) : undefined,
    limits: {
      cpus: lim.cpus !== undefined ? Number(lim.cpus) : undefined,
      memory: lim.memory !== undefined ? parseBytes(lim.memory, `${where}.deploy.resources.limits.memory`) : undefined,
      pids: lim.pids !== undefined ? Number(lim.pids) : undefined,
    },
    restart,
  };
}

function watchRules(v: unknown): WatchRule[] {
  if (!isDict(v)) return [];
  return ((v.watch ?? []) as Dict[]).map((w) => ({ path: String(w.path), action: String(w.action) as WatchRule['action'], target: str(w.target), ignore: toList(w.ignore) }));
}

export function toServiceConfig(name: string, s: Dict, lookup: Lookup): ServiceConfig {
  const where = `services.${name}`;
  for (const k of Object.keys(s)) if (!SUPPORTED.has(k) && !k.startsWith('x-')) throw unsupported(`${where}.${k} is not supported by berth compose`);
  if (s.image === undefined && s.build === undefined) throw invalidFile(`service "${name}" has neither an image nor a build context specified: invalid compose project`);
  const networkMode = str(s.network_mode);
  if (networkMode && s.networks !== undefined) throw invalidFile(`service ${name} declares mutually exclusive \`network_mode\` and \`networks\`: invalid compose project`);
  const d = deploy(s.deploy, where);
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(toMapping(s.labels, `${where}.labels`))) labels[k] = v ?? '';
  const sysctls: Record<string, string> = {};
  for (const [k, v] of Object.entries(toMapping(s.sysctls, `${where}.sysctls`))) sysctls[k] = v ?? '';
  const logging = isDict(s.logging) ? { driver: str(s.logging.driver), options: Object.fromEntries(Object.entries(toMapping(s.logging.options, `${where}.logging.options`)).map(([k, v]) => [k, v ?? ''])) } : undefined;
  return {
    name,
    image: str(s.image),
    build: build(s.build, where),
    pull_policy: str(s.pull_policy),
    container_name: str(s.container_name),
    command: command(s.command, `${where}.command`),
    entrypoint: command(s.entrypoint, `${where}.entrypoint`),
    environment: environment(s, lookup, where),
    ports: ports(s.ports, where),
    expose: toList(s.expose),
    volumes: volumes(s.volumes, where),
    networks: networks(s.networks, networkMode, where),
    network_mode: networkMode,
    depends_on: dependsOn(s.depends_on),
    healthcheck: healthcheck(s.healthcheck, where),
    restart: str(s.restart) ?? d.restart,
    replicas: d.replicas ?? (s.scale !== undefined ? Number(s.scale) : 1),
    limits: d.limits,
    labels,
    user: str(s.user),
    working_dir: str(s.working_dir),
    hostname: str(s.hostname),
    domainname: str(s.domainname),
    cap_add: toList(s.cap_add),
    cap_drop: toList(s.cap_drop),
    privileged: s.privileged === true ? true : undefined,
    init: typeof s.init === 'boolean' ? s.init : undefined,
    stop_signal: str(s.stop_signal),
    stop_grace_period: s.stop_grace_period !== undefined ? Math.round(parseDuration(s.stop_grace_period, `${where}.stop_grace_period`) / 1e9) : undefined,
    read_only: s.read_only === true ? true : undefined,
    tmpfs: toList(s.tmpfs),
    ulimits: ulimits(s.ulimits),
    extra_hosts: toList(s.extra_hosts),
    dns: toList(s.dns),
    dns_search: toList(s.dns_search),
    sysctls,
    logging,
    secrets: fileRefs(s.secrets, 'secrets'),
    configs: fileRefs(s.configs, 'configs'),
    profiles: toList(s.profiles),
    tty: s.tty === true ? true : undefined,
    stdin_open: s.stdin_open === true ? true : undefined,
    shm_size: s.shm_size !== undefined ? parseBytes(s.shm_size, `${where}.shm_size`) : undefined,
    watch: watchRules(s.develop),
  };
}
