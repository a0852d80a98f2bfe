// COPY/ADD sources before anything is touched: which context paths (or files of another stage, or a URL)
// a step copies, with Docker's errors, and the cache identity of that selection — content, mode and, where
// they survive the copy, owners of every file; never mtimes. Docker writes it as `file:`/`dir:`/`multi:`.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { invalidArgument } from '../errors.js';
import type { BuildContext, ContextEntry } from './context/build-context.js';

export interface ContextSource { kind: 'context'; rel: string; entry: ContextEntry; wildcard: boolean }
export interface StageSource { kind: 'image'; path: string; wildcard: boolean }
export interface UrlSource { kind: 'url'; url: string }
export interface HeredocSource { kind: 'heredoc'; name: string; content: string }
export type CopySource = ContextSource | StageSource | UrlSource | HeredocSource;

const GLOB = /[*?[]/;

export function hasWildcard(s: string): boolean { return GLOB.test(s); }

function globRegex(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) throw invalidArgument(`syntax error in pattern: ${pattern}`);
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^') || cls.startsWith('!')) cls = '^' + cls.slice(1);
      re += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (ch === '\\' && i + 1 < pattern.length) re += '\\' + pattern[++i];
    else re += ch.replace(/[.+^${}()|\]\\]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

/** A source as a clean context-relative path; `..` out of the context is Docker's "forbidden path". */
export function contextRel(src: string): string {
  const norm = posix.normalize(src);
  if (norm === '..' || norm.startsWith('../')) throw invalidArgument(`Forbidden path outside the build context: ${src} (${norm})`);
  return posix.normalize('/' + src).replace(/^\/+/, '').replace(/\/+$/, '').replace(/^\.$/, '');
}

export function resolveContextSources(ctx: BuildContext, sources: string[], cmd: string): ContextSource[] {
  const out: ContextSource[] = [];
  for (const src of sources) {
    const rel = contextRel(src);
    if (hasWildcard(rel)) {
      const re = globRegex(rel);
      const matches = [...ctx.entries.keys()].filter((p) => p && re.test(p) && ctx.visible(p)).sort();
      for (const p of matches) out.push({ kind: 'context', rel: p, entry: ctx.visible(p)!, wildcard: true });
      continue;
    }
    const entry = ctx.visible(rel);
    if (!entry) throw invalidArgument(`${cmd} failed: file not found in build context or excluded by .dockerignore: stat ${rel || '.'}: file does not exist`);
    out.push({ kind: 'context', rel, entry, wildcard: false });
  }
  if (out.length === 0) throw invalidArgument(`${cmd} failed: no source files were specified`);
  return out;
}

/** The part of an entry that survives a copy from the context: content, link target, mode. */
function entryKey(e: ContextEntry, withOwner: boolean): string {
  return `${e.type}:${(e.mode & 0o7777).toString(8)}:${e.hash}${withOwner ? `:${e.uid}:${e.gid}` : ''}`;
}

/** Docker's source hash text (`file:<hex>`, `dir:<hex>`, `multi:<hex>`) of context sources. */
export function contextSourceHash(ctx: BuildContext, sources: ContextSource[]): string {
  const one = (s: ContextSource): { kind: string; hex: string } => {
    if (s.entry.type !== 'directory') return { kind: 'file', hex: createHash('sha256').update(`${posix.basename(s.rel)}\0${entryKey(s.entry, false)}`).digest('hex') };
    const h = createHash('sha256');
    h.update(`dir:${(s.entry.mode & 0o7777).toString(8)}\n`);
    for (const [p, e] of ctx.visibleBelow(s.rel)) h.update(`${p.slice(s.rel ? s.rel.length + 1 : 0)}\0${entryKey(e, false)}\n`);
    return { kind: 'dir', hex: h.digest('hex') };
  };
  const parts = sources.map(one);
  if (parts.length === 1) return `${parts[0].kind}:${parts[0].hex}`;
  return `multi:${createHash('sha256').update(parts.map((p) => `${p.kind}:${p.hex}`).join(',')).digest('hex')}`;
}

/** Hash text for sources from another stage or image: its ID names its content exactly. */
export function imageSourceHash(imageId: string, sources: string[]): string {
  const hex = createHash('sha256').update(`${imageId}\n${sources.join('\n')}`).digest('hex');
  return `${sources.length === 1 ? 'file' : 'multi'}:${hex}`;
}

export function contentHash(kind: string, data: Buffer | string): string {
  return `${kind}:${createHash('sha256').update(data).digest('hex')}`;
}
