// Docker-shaped views of image records: ImageSummary (GET /images/json), ImageInspect, history, and the
// list filters (dangling, reference, label, before, since, until).
import { invalidArgument } from '../errors.js';
import type { ImageRecord } from '../model/image.js';
import { matchReferenceGlob } from './reference.js';

export interface ImageSummary {
  Id: string;
  ParentId: string;
  RepoTags: string[];
  RepoDigests: string[];
  Created: number;
  Size: number;
  SharedSize: number;
  Labels: Record<string, string>;
  Containers: number;
}

export interface HistoryItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

/** Creation time in nanoseconds, from the config's RFC 3339 text: `before`/`since` compare at Docker's precision. */
export function createdNanos(rec: ImageRecord): bigint {
  const text = rec.config.created ?? '';
  const t = Date.parse(text);
  if (Number.isNaN(t)) return 0n;
  const frac = /\.(\d+)/.exec(text)?.[1] ?? '';
  return BigInt(Math.floor(t / 1000)) * 1_000_000_000n + BigInt((frac + '000000000').slice(0, 9));
}

export function createdSeconds(rec: ImageRecord): number {
  const t = rec.config.created ? Date.parse(rec.config.created) : NaN;
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
}

export function summary(rec: ImageRecord, containers = -1): ImageSummary {
  return {
    Id: rec.id,
    ParentId: rec.parent ?? '',
    RepoTags: rec.repoTags,
    RepoDigests: rec.repoDigests,
    Created: createdSeconds(rec),
    Size: rec.size,
    SharedSize: -1,
    Labels: rec.config.config?.Labels ?? {},
    Containers: containers,
  };
}

export function inspect(rec: ImageRecord, layerDirsTopFirst: string[]): Record<string, unknown> {
  const c = rec.config;
  const [top, ...lower] = layerDirsTopFirst;
  const data: Record<string, string> = top === undefined ? {} : lower.length === 0
    ? { MergedDir: top.replace(/\/diff$/, '/merged'), UpperDir: top, WorkDir: top.replace(/\/diff$/, '/work') }
    : { LowerDir: lower.join(':'), MergedDir: top.replace(/\/diff$/, '/merged'), UpperDir: top, WorkDir: top.replace(/\/diff$/, '/work') };
  const out: Record<string, unknown> = {
    Id: rec.id,
    RepoTags: rec.repoTags,
    RepoDigests: rec.repoDigests,
    Parent: rec.parent ?? '',
    Comment: c.comment ?? '',
    Created: c.created ?? '',
    DockerVersion: c.docker_version ?? '',
    Author: c.author ?? '',
    Config: runConfig(rec),
    Architecture: c.architecture,
    Os: c.os,
    Size: rec.size,
    GraphDriver: { Name: 'overlay2', Data: data },
    RootFS: { Type: 'layers', Layers: c.rootfs.diff_ids },
    Metadata: { LastTagTime: rec.lastTagTime ?? '0001-01-01T00:00:00Z' },
  };
  if (c.variant) out.Variant = c.variant;
  return out;
}

/** The image's Config with Docker's defaults for the fields the CLI expects to be present. */
function runConfig(rec: ImageRecord): Record<string, unknown> {
  const cfg = rec.config.config ?? {};
  return {
    Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: false, AttachStderr: false,
    Tty: false, OpenStdin: false, StdinOnce: false, Env: null, Cmd: null, Image: '', Volumes: null,
    WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: null,
    ...cfg,
  };
}

/** Newest first, as Docker: the top entry carries the image ID and tags, older ones `<missing>`. */
export function history(rec: ImageRecord, layerSizes: number[]): HistoryItem[] {
  const entries = rec.config.history ?? [];
  const out: HistoryItem[] = [];
  let layer = 0;
  for (const h of entries) {
    let size = 0;
    if (!h.empty_layer) size = layerSizes[layer++] ?? 0;
    const t = h.created ? Date.parse(h.created) : NaN;
    out.push({ Id: '<missing>', Created: Number.isNaN(t) ? 0 : Math.floor(t / 1000), CreatedBy: h.created_by ?? '', Tags: null, Size: size, Comment: h.comment ?? '' });
  }
  if (out.length === 0) out.push({ Id: '<missing>', Created: createdSeconds(rec), CreatedBy: '', Tags: null, Size: rec.size, Comment: '' });
  out.reverse();
  out[0].Id = rec.id;
  out[0].Tags = rec.repoTags.length ? rec.repoTags : null;
  return out;
}

export type { Filters } from '../model/filters.js';
import type { Filters } from '../model/filters.js';

export function parseBool(key: string, v: string): boolean {
  if (['true', '1', 'True', 'TRUE'].includes(v)) return true;
  if (['false', '0', 'False', 'FALSE'].includes(v)) return false;
  throw invalidArgument(`invalid filter '${key}=${v}'`);
}

/** Label filter values: `key` (present) or `key=value`, `key!=value`. */
export function labelsMatch(labels: Record<string, string>, wanted: string[]): boolean {
  return wanted.every((w) => {
    const neq = w.indexOf('!=');
    if (neq > 0) return labels[w.slice(0, neq)] !== w.slice(neq + 2);
    const eq = w.indexOf('=');
    if (eq < 0) return w in labels;
    return labels[w.slice(0, eq)] === w.slice(eq + 1);
  });
}

/** Docker's `until`: a timestamp (unix seconds, RFC 3339) or a duration like `24h` before now. Unix seconds out. */
export function parseUntil(v: string, now = Date.now()): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const dur = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)$/.exec(v);
  if (dur) {
    const mult: Record<string, number> = { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
    return now / 1000 - Number(dur[1]) * mult[dur[2]];
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalidArgument(`failed to parse value as time or duration: "${v}"`);
  return t / 1000;
}

export interface ListContext { resolveCreated: (ref: string) => bigint }

/** Applies GET /images/json filters. */
export function filterImages(recs: ImageRecord[], f: Filters, ctx: ListContext): ImageRecord[] {
  for (const k of Object.keys(f)) {
    if (!['dangling', 'reference', 'label', 'before', 'since', 'until'].includes(k)) throw invalidArgument(`invalid filter '${k}'`);
  }
  let out = recs;
  if (f.dangling?.length) {
    const want = parseBool('dangling', f.dangling[f.dangling.length - 1]);
    out = out.filter((r) => (r.repoTags.length === 0) === want);
  }
  if (f.reference?.length) {
    out = out.filter((r) => [...r.repoTags, ...r.repoDigests].some((t) => f.reference.some((p) => matchReferenceGlob(p, t))));
  }
  if (f.label?.length) out = out.filter((r) => labelsMatch(r.config.config?.Labels ?? {}, f.label));
  if (f.before?.length) {
    const limit = f.before.map(ctx.resolveCreated).reduce((a, b) => (b < a ? b : a));
    out = out.filter((r) => createdNanos(r) < limit);
  }
  if (f.since?.length) {
    const limit = f.since.map(ctx.resolveCreated).reduce((a, b) => (b > a ? b : a));
    out = out.filter((r) => createdNanos(r) > limit);
  }
  if (f.until?.length) {
    const limit = parseUntil(f.until[0]);
    out = out.filter((r) => createdSeconds(r) < limit);
  }
  return out;
}
