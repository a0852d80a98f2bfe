// Extracts a tar (docker cp into a container) under a directory of a container's root. Each entry's
// parent is resolved as the container sees it (scoped-path.ts: symlinks followed but kept inside the
// root), missing parents are created, and the entry itself is created without following anything:
// O_CREAT|O_EXCL|O_NOFOLLOW for files, and an existing entry is removed, never written through.
// Names that climb out of the destination (`..`) and hard links to outside it are refused.
import { chmod, lchown, link, lutimes, mkdir, rm, symlink, unlink } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import tar, { type Header } from 'tar-stream';
import { invalidArgument } from '../errors.js';
import { joinRoot, scopedParts } from './resolve-in-root.js';
import { lstatOrNull, writeNewFile } from './confined-tree.js';

export interface ExtractOptions {
  noOverwriteDirNonDir: boolean;
  /** Owner for every entry (docker cp -a with a container user); otherwise the tar's own. */
  chownTo?: { uid: number; gid: number };
}

/** The entry's path relative to the destination, or a refusal when it climbs out. */
export function entryRelPath(name: string): string[] {
  const norm = posix.normalize(`/${name}`).replace(/^\/+/, '');
  if (name.split('/').includes('..') && posix.normalize(name).startsWith('..')) throw invalidArgument(`invalid tar entry ${JSON.stringify(name)}: path escapes the destination`);
  if (name.includes('\0')) throw invalidArgument('invalid tar entry: NUL byte in name');
  return norm.split('/').filter((p) => p !== '' && p !== '.');
}

/** Creates the missing directories of `parts` under root, one component at a time (no symlinks). */
async function ensureDirs(root: string, parts: string[]): Promise<void> {
  for (let i = 1; i <= parts.length; i++) {
    const p = joinRoot(root, parts.slice(0, i));
    const st = await lstatOrNull(p);
    if (!st) { await mkdir(p, { mode: 0o755 }); continue; }
    if (!st.isDirectory()) throw invalidArgument(`cannot extract into ${JSON.stringify('/' + parts.slice(0, i).join('/'))}: not a directory`);
  }
}

export async function extractInto(root: string, destDir: string, input: Readable, opts: ExtractOptions): Promise<void> {
  const extract = tar.extract();
  input.on('error', (err) => extract.destroy(err));
  input.pipe(extract);
  for await (const entry of extract) {
    const h: Header = entry.header;
    const rel = entryRelPath(h.name);
    if (rel.length === 0) { entry.resume(); continue; }
    const parentParts = await scopedParts(root, `${destDir}/${rel.slice(0, -1).join('/')}`, true);
    await ensureDirs(root, parentParts);
    const parts = [...parentParts, rel[rel.length - 1]];
    const path = joinRoot(root, parts);
    const existing = await lstatOrNull(path);
    const isDir = h.type === 'directory';
    if (existing && opts.noOverwriteDirNonDir) {
      const shown = '/' + parts.join('/');
      if (existing.isDirectory() && !isDir) throw invalidArgument(`cannot overwrite directory ${JSON.stringify(shown)} with non-directory ${JSON.stringify(h.name)}`);
      if (!existing.isDirectory() && isDir) throw invalidArgument(`cannot overwrite non-directory ${JSON.stringify(shown)} with directory ${JSON.stringify(h.name)}`);
    }
    if (existing && !(existing.isDirectory() && isDir)) {
      if (existing.isDirectory()) await rm(path, { recursive: true, force: true }); else await unlink(path);
    }
    const mode = (h.mode ?? 0o644) & 0o7777;
    switch (h.type) {
      case 'directory':
        if (!existing) await mkdir(path, { mode: 0o700 });
        entry.resume();
        break;
      case 'file': case 'contiguous-file':
        await writeNewFile(path, entry);
        break;
      case 'symlink':
        await symlink(h.linkname ?? '', path);
        entry.resume();
        break;
      case 'link': {
        const target = joinRoot(root, await scopedParts(root, `${destDir}/${entryRelPath(h.linkname ?? '').join('/')}`, false));
        const tst = await lstatOrNull(target);
        if (!tst || tst.isDirectory()) throw invalidArgument(`invalid hardlink ${JSON.stringify(h.name)} -> ${JSON.stringify(h.linkname)}`);
        await link(target, path);
        entry.resume();
        break;
      }
      default:
        // Devices and fifos need mknod, which Node lacks; Docker's CLI rarely sends them.
        entry.resume();
        continue;
    }
    const owner = opts.chownTo ?? { uid: h.uid ?? 0, gid: h.gid ?? 0 };
    await lchown(path, owner.uid, owner.gid).catch(() => undefined);
    if (h.type !== 'symlink') await chmod(path, mode);
    if (h.mtime) await lutimes(path, h.mtime, h.mtime).catch(() => undefined);
  }
}
