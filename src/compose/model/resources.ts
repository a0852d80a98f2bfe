// Top-level networks, volumes, secrets and configs to the typed model, with Docker Compose's engine names
// (`<project>_<key>` unless `name:` is given or the resource is external).
import { unsupported } from '../errors.js';
import { toMapping } from '../loader/syntax.js';
import { isDict, type Dict } from '../loader/yaml-file.js';
import type { FileObjectConfig, NetworkConfig, VolumeConfig } from './types.js';

function strings(v: unknown, where: string): Record<string, string> {
  return Object.fromEntries(Object.entries(toMapping(v, where)).map(([k, s]) => [k, s ?? '']));
}

function external(v: unknown): boolean {
  return v === true || isDict(v);
}

function engineName(project: string, key: string, d: Dict): string {
  if (typeof d.name === 'string') return d.name;
  if (isDict(d.external) && typeof d.external.name === 'string') return d.external.name;
  return external(d.external) ? key : `${project}_${key}`;
}

export function toNetworks(v: unknown, project: string): Record<string, NetworkConfig> {
  const out: Record<string, NetworkConfig> = {};
  const all = { default: null, ...((v ?? {}) as Dict) } as Dict;
  for (const [key, raw] of Object.entries(all)) {
    const d = (raw ?? {}) as Dict;
    for (const k of Object.keys(d)) {
      if (!['name', 'external', 'driver', 'driver_opts', 'labels', 'internal', 'attachable', 'enable_ipv6', 'ipam'].includes(k) && !k.startsWith('x-')) throw unsupported(`networks.${key}.${k} is not supported by berth compose`);
    }
    const ipam = isDict(d.ipam) ? {
      driver: typeof d.ipam.driver === 'string' ? d.ipam.driver : undefined,
      config: ((d.ipam.config ?? []) as Dict[]).map((c) => ({ subnet: c.subnet as string | undefined, gateway: c.gateway as string | undefined, ip_range: c.ip_range as string | undefined })),
    } : undefined;
    out[key] = {
      name: engineName(project, key, d), external: external(d.external),
      driver: typeof d.driver === 'string' ? d.driver : undefined,
      driver_opts: strings(d.driver_opts, `networks.${key}.driver_opts`), labels: strings(d.labels, `networks.${key}.labels`),
      internal: d.internal === true ? true : undefined, attachable: d.attachable === true ? true : undefined,
      enable_ipv6: d.enable_ipv6 === true ? true : undefined, ipam,
    };
  }
  return out;
}

export function toVolumes(v: unknown, project: string): Record<string, VolumeConfig> {
  const out: Record<string, VolumeConfig> = {};
  for (const [key, raw] of Object.entries((v ?? {}) as Dict)) {
    const d = (raw ?? {}) as Dict;
    out[key] = {
      name: engineName(project, key, d), external: external(d.external),
      driver: typeof d.driver === 'string' ? d.driver : undefined,
      driver_opts: strings(d.driver_opts, `volumes.${key}.driver_opts`), labels: strings(d.labels, `volumes.${key}.labels`),
    };
  }
  return out;
}

export function toFileObjects(v: unknown, project: string, kind: 'secrets' | 'configs', env: Record<string, string>): Record<string, FileObjectConfig> {
  const out: Record<string, FileObjectConfig> = {};
  for (const [key, raw] of Object.entries((v ?? {}) as Dict)) {
    const d = (raw ?? {}) as Dict;
    if (external(d.external)) throw unsupported(`${kind}.${key}: external ${kind} need swarm, which berth compose does not support`);
    const envName = typeof d.environment === 'string' ? d.environment : undefined;
    out[key] = {
      name: typeof d.name === 'string' ? d.name : `${project}_${key}`, external: false,
      file: typeof d.file === 'string' ? d.file : undefined, environment: envName,
      content: typeof d.content === 'string' ? d.content : envName !== undefined ? env[envName] ?? '' : undefined,
    };
  }
  return out;
}
