// Resolves a path as the container would see it, with the container's root as "/": every component is
// looked at with lstat, symlinks are read and re-resolved against that root (an absolute target starts
// again at the root, `..` never climbs above it). The result names no symlink that could lead out of the
// root, so host files are never touched through a container's `..` or symlinks (CVE-2018-15664 class).
import { lstat, readlink } from 'node:fs/promises';
import { lstatSync, readlinkSync, type Stats } from 'node:fs';
import { invalidArgument } from '../errors.js';

const MAX_LINKS = 255;

type Lookup = { op: 'lstat'; path: string } | { op: 'readlink'; path: string };

/**
 * The resolution itself, written once: it yields each host lookup it needs (answered with the lstat
 * result, or null when absent, or the link target) and returns the resolved components. The async and
 * sync drivers below only answer the lookups.
 */
function* resolveSteps(root: string, path: string, followLast: boolean): Generator<Lookup, string[], Stats | null | string> {
  const queue = path.split('/');
  const resolved: string[] = [];
  let links = 0;
  while (queue.length > 0) {
    const c = queue.shift()!;
    if (c === '' || c === '.') continue;
    if (c === '..') { resolved.pop(); continue; }
    const last = !queue.some((q) => q !== '' && q !== '.');
    if (last && !followLast) { resolved.push(c); break; }
    const candidate = joinRoot(root, [...resolved, c]);
    const st = (yield { op: 'lstat', path: candidate }) as Stats | null;
    if (!st || !st.isSymbolicLink()) { resolved.push(c); continue; }
    if (++links > MAX_LINKS) throw invalidArgument(`too many levels of symbolic links: ${path}`);
    const target = (yield { op: 'readlink', path: candidate }) as string;
    if (target.startsWith('/')) resolved.length = 0;
    queue.unshift(...target.split('/'));
  }
  return resolved;
}

const absent = (err: NodeJS.ErrnoException): null => { if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null; throw err; };

/** Components of `path` inside the root (no `.`/`..`/symlinks left), following the last one when asked. */
export async function scopedParts(root: string, path: string, followLast: boolean): Promise<string[]> {
  const steps = resolveSteps(root, path, followLast);
  let next = steps.next();
  while (!next.done) {
    const q = next.value;
    next = steps.next(q.op === 'lstat' ? await lstat(q.path).catch(absent) : await readlink(q.path));
  }
  return next.value;
}

export function joinRoot(root: string, parts: string[]): string {
  const base = root.endsWith('/') ? root.slice(0, -1) : root;
  return parts.length ? `${base}/${parts.join('/')}` : (base ? `${base}/.` : '/');
}

/** The host path of `path` inside `root`; the last component is followed only when asked. */
export async function scopedPath(root: string, path: string, followLast = true): Promise<string> {
  return joinRoot(root, await scopedParts(root, path, followLast));
}

/** Synchronous twin, for tests and tools; berthd resolves with the async one. */
export function scopedPathSync(root: string, path: string, followLast = true): string {
  const steps = resolveSteps(root, path, followLast);
  let next = steps.next();
  while (!next.done) {
    const q = next.value;
    let answer: Stats | null | string;
    if (q.op === 'readlink') answer = readlinkSync(q.path);
    else { try { answer = lstatSync(q.path); } catch { answer = null; } }
    next = steps.next(answer);
  }
  return joinRoot(root, next.value);
}
