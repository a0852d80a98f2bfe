// Short syntaxes of the compose file expanded to their long forms: ports (`127.0.0.1:8080:80/tcp`,
// ranges), volumes (`./src:/app:ro`, `data:/data`, `/anon`), key=value lists, durations and byte sizes.
import { invalidFile } from '../errors.js';
import type { Dict } from './yaml-file.js';

/** `K=V` list or mapping to a mapping; `K` alone (list) or `K:` (mapping) gives null. */
export function toMapping(v: unknown, where: string, sep = '='): Record<string, string | null> {
  if (v === undefined || v === null) return {};
  const out: Record<string, string | null> = {};
  if (Array.isArray(v)) {
    for (const item of v) {
      const s = String(item);
      const i = s.indexOf(sep);
      if (i < 0) out[s] = null;
      else out[s.slice(0, i)] = s.slice(i + 1);
    }
    return out;
  }
  if (typeof v === 'object') {
    for (const [k, val] of Object.entries(v as Dict)) out[k] = val === null || val === undefined ? null : String(val);
    return out;
  }
  throw invalidFile(`${where} must be a mapping or a list`);
}

export function toList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

/** Splits on `:` except inside `[...]` (IPv6 host addresses). */
function splitColons(s: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let depth = 0;
  for (const c of s) {
    if (c === '[') depth++;
    if (c === ']') depth--;
    if (c === ':' && depth === 0) { parts.push(cur); cur = ''; continue; }
    cur += c;
  }
  parts.push(cur);
  return parts;
}

function range(s: string, where: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) throw invalidFile(`${where}: invalid port "${s}"`);
  const a = Number(m[1]);
  const b = m[2] ? Number(m[2]) : a;
  if (b < a || b > 65535) throw invalidFile(`${where}: invalid port range "${s}"`);
  return [a, b];
}

/** One short port spec to long-form entries (a range becomes one entry per container port). */
export function parsePortShort(spec: string | number, where: string): Dict[] {
  let s = String(spec);
  let protocol = 'tcp';
  const slash = s.lastIndexOf('/');
  if (slash >= 0) { protocol = s.slice(slash + 1); s = s.slice(0, slash); }
  const parts = splitColons(s);
  let hostIp: string | undefined;
  let published: string | undefined;
  let target: string;
  if (parts.length === 1) target = parts[0];
  else if (parts.length === 2) { published = parts[0]; target = parts[1]; }
  else if (parts.length === 3) { hostIp = parts[0].replace(/^\[(.*)\]$/, '$1'); published = parts[1]; target = parts[2]; }
  else throw invalidFile(`${where}: invalid port "${spec}"`);
  const [t0, t1] = range(target, where);
  const pub = published ? range(published, where) : undefined;
  if (pub && pub[1] - pub[0] !== t1 - t0 && pub[0] !== pub[1]) throw invalidFile(`${where}: port ranges don't match in "${spec}"`);
  const out: Dict[] = [];
  for (let p = t0; p <= t1; p++) {
    const e: Dict = { target: p, protocol, mode: 'ingress' };
    if (hostIp) e.host_ip = hostIp;
    if (pub) e.published = pub[0] === pub[1] && t0 !== t1 ? `${pub[0]}` : String(pub[0] + (p - t0));
    if (pub && pub[0] !== pub[1] && t0 === t1) e.published = `${pub[0]}-${pub[1]}`;
    out.push(e);
  }
  return out;
}

function isPathLike(s: string): boolean {
  return s.startsWith('.') || s.startsWith('/') || s.startsWith('~') || /^[A-Za-z]:[\\/]/.test(s);
}

/** `[SOURCE:]TARGET[:MODE]` to the long form. */
export function parseVolumeShort(spec: string, where: string): Dict {
  const parts = spec.split(':');
  let source: string | undefined;
  let target: string;
  let mode = '';
  if (parts.length === 1) target = parts[0];
  else if (parts.length === 2) {
    if (parts[1].startsWith('/')) { source = parts[0]; target = parts[1]; } else { target = parts[0]; mode = parts[1]; }
  } else if (parts.length === 3) { source = parts[0]; target = parts[1]; mode = parts[2]; }
  else throw invalidFile(`${where}: invalid volume specification "${spec}"`);
  if (!target) throw invalidFile(`${where}: invalid volume specification "${spec}"`);
  const modes = mode ? mode.split(',') : [];
  const out: Dict = { type: source === undefined ? 'volume' : isPathLike(source) ? 'bind' : 'volume', target };
  if (source !== undefined) out.source = source;
  if (modes.includes('ro')) out.read_only = true;
  if (modes.includes('nocopy')) out.volume = { nocopy: true };
  const propagation = modes.find((m) => /^r?(shared|slave|private)$/.test(m));
  if (out.type === 'bind') out.bind = { create_host_path: true, ...(propagation ? { propagation } : {}) };
  return out;
}

const DURATION_UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go duration (`1m30s`, `500ms`) or a number of seconds, to nanoseconds. */
export function parseDuration(v: unknown, where: string): number {
  if (typeof v === 'number') return Math.round(v * 1e9);
  const s = String(v).trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1e9);
  let total = 0;
  let rest = s;
  for (let guard = 0; rest && guard < 20; guard++) {
    const m = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!m) throw invalidFile(`${where}: invalid duration "${s}"`);
    total += Number(m[1]) * DURATION_UNITS[m[2]];
    rest = rest.slice(m[0].length);
  }
  if (rest) throw invalidFile(`${where}: invalid duration "${s}"`);
  return Math.round(total);
}

/** go-units RAMInBytes: `512m`, `1g`, `1.5GB`, plain bytes; binary multiples. */
export function parseBytes(v: unknown, where: string): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?$/i.exec(String(v).trim());
  if (!m) throw invalidFile(`${where}: invalid size "${String(v)}"`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 }[m[2].toLowerCase()] ?? 1;
  return Math.round(Number(m[1]) * mult);
}
