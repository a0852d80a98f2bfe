// `--mount` (docker's opts.MountOpt): CSV `key=value` fields into the Engine API's mount objects, and
// `-v` split as docker does: with a source it is a bind (HostConfig.Binds), without one an anonymous
// volume (Config.Volumes).
import { resolve } from 'node:path';
import { UsageError } from '../flags.js';
import { parseMemory } from '../format/units.js';

export interface MountBody {
  Type: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; DriverConfig?: { Name?: string; Options?: Record<string, string> }; Subpath?: string };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

function boolValue(key: string, value: string | undefined): boolean {
  if (value === undefined) return true;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw new Error(`invalid value for ${key}: ${value}`);
}

function splitCsv(value: string): string[] {
  // docker reads the value as one CSV record: double quotes may wrap a field containing commas.
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"') { if (quoted && value[i + 1] === '"') { cur += '"'; i++; } else quoted = !quoted; }
    else if (c === ',' && !quoted) { out.push(cur); cur = ''; }
    else cur += c;
  }
  out.push(cur);
  return out;
}

function parseOne(value: string): MountBody {
  const m: MountBody = { Type: 'volume' };
  const volumeOptions = () => (m.VolumeOptions ??= {});
  const bindOptions = () => (m.BindOptions ??= {});
  const tmpfsOptions = () => (m.TmpfsOptions ??= {});
  for (const field of splitCsv(value)) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).trim().toLowerCase();
    const val = eq < 0 ? undefined : field.slice(eq + 1).trim();
    if (val === undefined && !['readonly', 'ro', 'volume-nocopy', 'bind-nonrecursive', 'bind-create-host-path'].includes(key)) {
      throw new Error(`invalid field '${field}' must be a key=value pair`);
    }
    switch (key) {
      case 'type': m.Type = val!; break;
      case 'source': case 'src': m.Source = val; break;
      case 'target': case 'dst': case 'destination': m.Target = val; break;
      case 'readonly': case 'ro': m.ReadOnly = boolValue(key, val); break;
      case 'consistency': m.Consistency = val; break;
      case 'bind-propagation': bindOptions().Propagation = val; break;
      case 'bind-nonrecursive': bindOptions().NonRecursive = boolValue(key, val); break;
      case 'bind-create-host-path': bindOptions().CreateMountpoint = boolValue(key, val); break;
      case 'volume-nocopy': volumeOptions().NoCopy = boolValue(key, val); break;
      case 'volume-subpath': volumeOptions().Subpath = val; break;
      case 'volume-driver': (volumeOptions().DriverConfig ??= {}).Name = val; break;
      case 'volume-label': { const [k, v = ''] = splitKv(val!); (volumeOptions().Labels ??= {})[k] = v; break; }
      case 'volume-opt': { const [k, v = ''] = splitKv(val!); ((volumeOptions().DriverConfig ??= {}).Options ??= {})[k] = v; break; }
      case 'tmpfs-size': tmpfsOptions().SizeBytes = parseMemory(val!); break;
      case 'tmpfs-mode': {
        const mode = Number.parseInt(val!, 8);
        if (!/^[0-7]+$/.test(val!) || Number.isNaN(mode)) throw new Error(`invalid value for ${key}: ${val}`);
        tmpfsOptions().Mode = mode;
        break;
      }
      default: throw new Error(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (!m.Type) throw new Error('type is required');
  if (!m.Target) throw new Error('target is required');
  if (m.VolumeOptions && m.Type !== 'volume') throw new Error(`cannot mix 'volume-*' options with mount type '${m.Type}'`);
  if (m.BindOptions && m.Type !== 'bind') throw new Error(`cannot mix 'bind-*' options with mount type '${m.Type}'`);
  if (m.TmpfsOptions && m.Type !== 'tmpfs') throw new Error(`cannot mix 'tmpfs-*' options with mount type '${m.Type}'`);
  if (m.Type === 'bind' && m.Source && !m.Source.startsWith('/')) m.Source = resolve(m.Source);
  return m;
}

function splitKv(v: string): [string, string | undefined] {
  const i = v.indexOf('=');
  return i < 0 ? [v, undefined] : [v.slice(0, i), v.slice(i + 1)];
}

export function parseMountFlags(values: string[]): MountBody[] {
  return values.map((v) => {
    try { return parseOne(v); } catch (err) {
      throw new UsageError(`invalid argument "${v}" for "--mount" flag: ${(err as Error).message}`);
    }
  });
}

/** `-v` values: binds (with a source; `./x` made absolute) and anonymous volumes (a bare path). */
export function splitVolumeFlags(values: string[]): { binds: string[]; volumes: Record<string, object> } {
  const binds: string[] = [];
  const volumes: Record<string, object> = {};
  for (const v of values) {
    const i = v.indexOf(':');
    if (i < 0) { volumes[v] = {}; continue; }
    const host = v.slice(0, i);
    binds.push(host === '.' || host.startsWith('./') || host === '..' || host.startsWith('../') ? `${resolve(host)}${v.slice(i)}` : v);
  }
  return { binds, volumes };
}
