// A container's mounts as Docker computes them at create: `-v` (HostConfig.Binds), `--mount`
// (HostConfig.Mounts), `--tmpfs` (HostConfig.Tmpfs), `--volumes-from` and the Volumes of the image and
// config (anonymous volumes). Parsing and validation follow moby's Linux mount parser, with its wording,
// so the docker CLI shows the same errors. Pure: volumes are named here, created by the volume service.
import { posix } from 'node:path';
import { invalidArgument } from '../../errors.js';
import type { OciMount } from '../../runtime/oci-spec.js';
import type { ContainerConfig, ContainerRecord, HostConfig, MountPointRecord, MountType } from '../../model/container.js';

export type { MountPointRecord, MountType };

/** Docker's mount.Mount, as the API sends it in HostConfig.Mounts. */
export interface ApiMount {
  Type?: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean } | null;
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string> | null; DriverConfig?: { Name?: string; Options?: Record<string, string> | null } | null; Subpath?: string } | null;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number; Options?: string[][] | null } | null;
}

/** Go's path.Clean: normalized, without a trailing slash. */
export function cleanPath(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

const RW_MODES = new Set(['rw', 'ro']);
const LABEL_MODES = new Set(['z', 'Z']);
const PROPAGATION_MODES = new Set(['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']);
const CONSISTENCY_MODES = new Set(['consistent', 'cached', 'delegated']);
const DEFAULT_PROPAGATION = 'rprivate';

/** moby's linuxValidMountMode: known words, at most one of each kind. */
export function validMountMode(mode: string): boolean {
  if (mode === '') return true;
  const counts = [0, 0, 0, 0, 0];
  for (const o of mode.split(',')) {
    if (RW_MODES.has(o)) counts[0]++;
    else if (LABEL_MODES.has(o)) counts[1]++;
    else if (PROPAGATION_MODES.has(o)) counts[2]++;
    else if (o === 'nocopy') counts[3]++;
    else if (CONSISTENCY_MODES.has(o)) counts[4]++;
    else return false;
  }
  return counts.every((c) => c <= 1);
}

const modeWords = (mode: string) => (mode ? mode.split(',') : []);
const readWrite = (mode: string) => !modeWords(mode).includes('ro');
const propagationOf = (mode: string) => modeWords(mode).find((w) => PROPAGATION_MODES.has(w));

class MountConfigError extends Error {}

function mountConfigError(type: string, msg: string): MountConfigError {
  return new MountConfigError(`invalid mount config for type "${type}": ${msg}`);
}

function checkTarget(type: string, target: string | undefined): void {
  if (!target) throw mountConfigError(type, 'field Target must not be empty');
  if (cleanPath(target) === '/' || target === '/') throw mountConfigError(type, "invalid specification: destination can't be '/'");
  if (!target.startsWith('/')) throw mountConfigError(type, `invalid mount path: '${target}' mount path must be absolute`);
}

/** `-v` / HostConfig.Binds: `src:dst[:mode]` (moby's ParseMountRaw). A bare `/dst` is an anonymous volume. */
export function parseBind(raw: string): MountPointRecord {
  const spec = `invalid volume specification: '${raw}'`;
  const arr = splitN(raw, ':', 4);
  if (arr[0] === '') throw invalidArgument(spec);
  let source = '';
  let target: string;
  let mode = '';
  if (arr.length === 1) target = arr[0];
  else if (arr.length === 2) {
    if (validMountMode(arr[1])) throw invalidArgument(spec); // `/foo:rw`: a volume cannot carry only a mode
    [source, target] = arr;
  } else if (arr.length === 3) [source, target, mode] = arr;
  else throw invalidArgument(spec);
  if (!validMountMode(mode)) throw invalidArgument(`invalid mode: ${mode}`);
  const type: MountType = source.startsWith('/') ? 'bind' : 'volume';
  const words = modeWords(mode);
  try {
    checkTarget(type, target);
    if (type === 'bind' && words.includes('nocopy')) throw mountConfigError(type, 'field VolumeOptions must not be specified');
    if (type === 'volume' && propagationOf(mode)) throw mountConfigError(type, 'field BindOptions must not be specified');
  } catch (err) {
    if (err instanceof MountConfigError) throw invalidArgument(`${spec}: ${err.message}`);
    throw err;
  }
  const destination = cleanPath(target);
  if (type === 'bind') {
    return { Type: 'bind', Source: cleanPath(source), Destination: destination, Mode: mode, RW: readWrite(mode), Propagation: propagationOf(mode) ?? DEFAULT_PROPAGATION, CreateSource: true };
  }
  return {
    Type: 'volume', Name: source, Named: source !== '', Source: '', Destination: destination, Driver: 'local',
    // Docker labels local volumes given with -v with mode `z` when no mode was given.
    Mode: source !== '' && mode === '' ? 'z' : mode, RW: readWrite(mode), Propagation: '', CopyData: !words.includes('nocopy'),
  };
}

function splitN(s: string, sep: string, n: number): string[] {
  const parts = s.split(sep);
  return parts.length <= n ? parts : [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

/** `--mount` / HostConfig.Mounts (moby's validateMountConfig with the bind source checked). */
export function parseApiMount(m: ApiMount, exists: (path: string) => boolean): MountPointRecord {
  const type = m.Type ?? '';
  try {
    return parseApiMountUnchecked(m, type, exists);
  } catch (err) {
    if (err instanceof MountConfigError) throw invalidArgument(err.message);
    throw err;
  }
}

function parseApiMountUnchecked(m: ApiMount, type: string, exists: (path: string) => boolean): MountPointRecord {
  checkTarget(type, m.Target);
  const destination = cleanPath(m.Target!);
  const ro = !!m.ReadOnly;
  switch (type) {
    case 'bind': {
      if (!m.Source) throw mountConfigError(type, 'field Source must not be empty');
      const propagation = m.BindOptions?.Propagation || DEFAULT_PROPAGATION;
      if (!PROPAGATION_MODES.has(propagation)) throw mountConfigError(type, `invalid propagation mode: ${propagation}`);
      if (m.VolumeOptions) throw mountConfigError(type, 'field VolumeOptions must not be specified');
      if (m.TmpfsOptions) throw mountConfigError(type, 'field TmpfsOptions must not be specified');
      if (!m.Source.startsWith('/')) throw mountConfigError(type, `invalid mount path: '${m.Source}' mount path must be absolute`);
      const createSource = !!m.BindOptions?.CreateMountpoint;
      if (!createSource && !exists(m.Source)) throw mountConfigError(type, `bind source path does not exist: ${m.Source}`);
      return {
        Type: 'bind', Source: cleanPath(m.Source), Destination: destination, Mode: '', RW: !ro, Propagation: propagation,
        CreateSource: createSource, NonRecursive: !!m.BindOptions?.NonRecursive,
      };
    }
    case 'volume': {
      if (m.BindOptions) throw mountConfigError(type, 'field BindOptions must not be specified');
      if (m.TmpfsOptions) throw mountConfigError(type, 'field TmpfsOptions must not be specified');
      const anonymous = !m.Source;
      const subpath = m.VolumeOptions?.Subpath ?? '';
      if (subpath && (posix.isAbsolute(subpath) || posix.normalize(subpath).split('/')[0] === '..')) throw mountConfigError(type, 'subpath must be a relative path within the volume');
      if (ro && anonymous) throw mountConfigError(type, 'must not set ReadOnly mode when using anonymous volumes');
      const driver = m.VolumeOptions?.DriverConfig?.Name || 'local';
      return {
        Type: 'volume', Name: m.Source ?? '', Named: !anonymous, Source: '', Destination: destination, Driver: driver, Mode: 'z',
        RW: !ro, Propagation: '', CopyData: !m.VolumeOptions?.NoCopy && !subpath, ...(subpath ? { Subpath: subpath } : {}),
        VolumeCreate: { driver, labels: m.VolumeOptions?.Labels ?? undefined, options: m.VolumeOptions?.DriverConfig?.Options ?? undefined },
      };
    }
    case 'tmpfs': {
      if (m.BindOptions) throw mountConfigError(type, 'field BindOptions must not be specified');
      if (m.VolumeOptions) throw mountConfigError(type, 'field VolumeOptions must not be specified');
      if (m.Source) throw mountConfigError(type, 'field Source must not be specified');
      return { Type: 'tmpfs', Source: '', Destination: destination, Mode: '', RW: !ro, Propagation: '', Data: tmpfsData(m.TmpfsOptions, ro) };
    }
    default:
      throw mountConfigError(type, 'mount type unknown');
  }
}

/** moby's ConvertTmpfsOptions: size with the largest exact suffix, mode in octal, ro. */
export function tmpfsData(opts: ApiMount['TmpfsOptions'], readOnly: boolean): string {
  const out: string[] = [];
  let size = opts?.SizeBytes ?? 0;
  if (size < 0) throw mountConfigError('tmpfs', `invalid tmpfs option: size must not be negative`);
  if (size) {
    let suffix = '';
    for (const [s, d] of [['g', 2 ** 30], ['m', 2 ** 20], ['k', 2 ** 10]] as const) {
      if (size % d === 0) { size /= d; suffix = s; break; }
    }
    out.push(`size=${size}${suffix}`);
  }
  if (opts?.Mode) out.push(`mode=${(opts.Mode & 0o7777).toString(8)}`);
  if (readOnly) out.push('ro');
  for (const o of opts?.Options ?? []) out.push(o.length > 1 ? `${o[0]}=${o[1]}` : o[0]);
  return out.join(',');
}

/** HostConfig.Tmpfs entry (`--tmpfs /run:size=64m`). */
export function parseTmpfs(destination: string, data: string): MountPointRecord {
  try { checkTarget('tmpfs', destination); } catch (err) { throw invalidArgument((err as Error).message); }
  return { Type: 'tmpfs', Source: '', Destination: cleanPath(destination), Mode: '', RW: !modeWords(data).includes('ro'), Propagation: '', Data: data, Hidden: true };
}

/** `--volumes-from container[:ro|:rw]`. */
export function parseVolumesFrom(spec: string): { container: string; mode: string } {
  if (!spec) throw invalidArgument('volumes-from specification cannot be an empty string');
  const i = spec.indexOf(':');
  const container = i < 0 ? spec : spec.slice(0, i);
  const mode = i < 0 ? '' : spec.slice(i + 1);
  if (!mode) return { container, mode: 'rw' };
  if (!validMountMode(mode)) throw invalidArgument(`invalid mode: ${mode}`);
  if (propagationOf(mode)) throw invalidArgument(`invalid argument "${mode}": propagation is not allowed on volumes-from`);
  return { container, mode };
}

/** A mount inherited through --volumes-from, writable only if both sides are. */
export function inheritMount(m: MountPointRecord, mode: string): MountPointRecord {
  return { Type: m.Type, Name: m.Name, Source: m.Source, Destination: m.Destination, Driver: m.Driver, Mode: '', RW: m.RW && readWrite(mode), Propagation: m.Propagation, Named: m.Named, CopyData: false, NonRecursive: m.NonRecursive };
}

export interface MountRequest {
  binds?: string[] | null;
  mounts?: ApiMount[] | null;
  tmpfs?: Record<string, string> | null;
  /** Config.Volumes after the merge with the image's. */
  volumes?: Record<string, unknown> | null;
  /** Mounts inherited from --volumes-from containers, already adjusted with inheritMount. */
  inherited?: MountPointRecord[];
}

/**
 * Docker's registerMountPoints: inherited mounts first, overridden by binds and then by --mount
 * (duplicates among those are refused), tmpfs, and an anonymous volume for each Volumes entry that
 * nothing else mounts.
 */
export function planMounts(req: MountRequest, exists: (path: string) => boolean): MountPointRecord[] {
  const byDest = new Map<string, MountPointRecord>();
  for (const m of req.inherited ?? []) byDest.set(m.Destination, m);
  const explicit = new Set<string>();
  const tmpfsDests = new Set(Object.keys(req.tmpfs ?? {}).map((d) => cleanPath(d)));
  const add = (m: MountPointRecord) => {
    if (explicit.has(m.Destination) || tmpfsDests.has(m.Destination)) throw invalidArgument(`Duplicate mount point: ${m.Destination}`);
    explicit.add(m.Destination);
    byDest.set(m.Destination, m);
  };
  for (const b of req.binds ?? []) {
    add(parseBind(b)); // a bare `/path` in Binds is an anonymous volume
  }
  for (const apiMount of req.mounts ?? []) add(parseApiMount(apiMount, exists));
  for (const [dest, data] of Object.entries(req.tmpfs ?? {})) {
    const m = parseTmpfs(dest, data);
    byDest.delete(m.Destination);
    byDest.set(m.Destination, m);
  }
  for (const spec of Object.keys(req.volumes ?? {})) {
    try { checkTarget('volume', spec); } catch (err) { throw invalidArgument((err as Error).message); }
    const dest = cleanPath(spec);
    if (byDest.has(dest)) continue;
    byDest.set(dest, { Type: 'volume', Name: '', Named: false, Source: '', Destination: dest, Driver: 'local', Mode: '', RW: true, Propagation: '', CopyData: true });
  }
  return [...byDest.values()];
}

/** Docker's MountPoint as inspect and the container list show it. */
export function mountView(m: MountPointRecord): Record<string, unknown> {
  return {
    Type: m.Type,
    ...(m.Name ? { Name: m.Name } : {}),
    Source: m.Source,
    Destination: m.Destination,
    ...(m.Driver && m.Type === 'volume' ? { Driver: m.Driver } : {}),
    Mode: m.Mode,
    RW: m.RW,
    Propagation: m.Propagation,
  };
}

/** Depth of a path, for mounting parents before their children (Docker sorts mounts the same way). */
export function pathDepth(p: string): number {
  return p.split('/').filter(Boolean).length;
}

/** The OCI mounts of resolved mount points (every Source is a host path by now), parents first. */
export function ociMounts(mounts: MountPointRecord[]): OciMount[] {
  const out = mounts.map((m): OciMount => {
    if (m.Type === 'tmpfs') {
      const opts = ['noexec', 'nosuid', 'nodev', ...modeWords(m.Data ?? '')];
      return { destination: m.Destination, type: 'tmpfs', source: 'tmpfs', options: opts };
    }
    const opts = [m.NonRecursive ? 'bind' : 'rbind', m.RW ? 'rw' : 'ro', m.Propagation || DEFAULT_PROPAGATION];
    return { destination: m.Destination, type: 'bind', source: m.Source, options: opts };
  });
  return out.sort((a, b) => pathDepth(a.destination) - pathDepth(b.destination));
}

/** What the container service asks of the volume side (wired in engine.ts). */
/** A run's mounts: the record's mount points with this run's sources, and the OCI mounts made of them. */
export interface StartedMounts { mountPoints: MountPointRecord[]; oci: OciMount[] }

export interface ContainerMountHooks {
  /** At create: plans and validates the mounts, creates volumes, copies image content into fresh ones. */
  create(input: { id: string; config: ContainerConfig; hostConfig: HostConfig; layerDirs: string[] }): Promise<MountPointRecord[]>;
  /** At each start: this run's mount points and OCI mounts (undefined for records without planned mounts). */
  start(rec: ContainerRecord): Promise<StartedMounts | undefined>;
  /** After a run ended (the `die` of the container): volumes it held are released. */
  stopped?(id: string): Promise<void>;
  /** For cp on a stopped container: its volume and bind mounts (volumes held until `release`). */
  forCopy?(rec: ContainerRecord): Promise<{ mounts: MountPointRecord[]; release: () => Promise<void> }>;
  /** After the container was removed: its anonymous volumes of --rm go with it. */
  destroyed?(id: string): Promise<void>;
}
