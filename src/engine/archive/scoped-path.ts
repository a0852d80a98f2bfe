// Resolves a path as the container would see it, with the container's root as "/": every component is
// looked at with lstat, symlinks are read and re-resolved against that root (an absolute target starts
// again at the root, `..` never climbs above it). The result names no symlink that could lead out of the
// root, so host files are never touched through a container's `..` or symlinks (CVE-2018-15664 class).
import { lstat, readlink } from 'node:fs/promises';
import { lstatSync, readlinkSync, type Stats } from 'node:fs';
import { invalidArgument } from '../../errors.js';

const MAX_LINKS = 255;

export interface ScopedFs {
  lstat(path: string): Stats | null | Promise<Stats | null>;
  readlink(path: string): string | Promise<string>;
}

const asyncFs: ScopedFs = {
  lstat: (p) => lstat(p).catch((err: NodeJS.ErrnoException) => { if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null; throw err; }),
  readlink: (p) => readlink(p),
};

/** Components of `path` inside the root (no `.`/`..`/symlinks left), following the last one when asked. */
export async function scopedParts(root: string, path: string, followLast: boolean, fs: ScopedFs = asyncFs): Promise<string[]> {
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
    const st = await fs.lstat(candidate);
    if (!st || !st.isSymbolicLink()) { resolved.push(c); continue; }
    if (++links > MAX_LINKS) throw invalidArgument(`too many levels of symbolic links: ${path}`);
    const target = await fs.readlink(candidate);
    if (target.startsWith('/')) resolved.length = 0;
    queue.unshift(...target.split('/'));
  }
  return resolved;
}

export function joinRoot(root: string, parts: string[]): string {
  const base = root.endsWith('/') ? root.slice(0, -1) : root;
  return parts.length ? `${base}/${parts.join('/')}` : (base ? `${base}/.` : '/');
}

/** The host path of `path` inside `root`; the last component is followed only when asked. */
export async function scopedPath(root: string, path: string, followLast = true): Promise<string> {
  return joinRoot(root, await scopedParts(root, path, followLast));
}

/** Synchronous twin, for small reads such as /etc/passwd while preparing an exec. */
export function scopedPathSync(root: string, path: string, followLast = true): string {
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
    let st: Stats | null = null;
    try { st = lstatSync(candidate); } catch { st = null; }
    if (!st || !st.isSymbolicLink()) { resolved.push(c); continue; }
    if (++links > MAX_LINKS) throw invalidArgument(`too many levels of symbolic links: ${path}`);
    const target = readlinkSync(candidate);
    if (target.startsWith('/')) resolved.length = 0;
    queue.unshift(...target.split('/'));
  }
  return joinRoot(root, resolved);
}
