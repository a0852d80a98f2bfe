// Safe extraction of one layer tar into a directory, with Docker's whiteouts turned into overlayfs ones.
// Every entry is confined to the layer through fs/confined-tree.ts: `..` is refused, absolute names are
// rooted in the layer, no parent may be a symlink (checked with lstat), files are opened with
// O_NOFOLLOW|O_EXCL, symlink entries are created but never followed, and hardlinks must name a file
// already in the layer.
import { mkdir, symlink, link, lchown, lutimes, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import tar, { type Header } from 'tar-stream';
import { invalidArgument } from '../errors.js';
import { runCommand as run } from '../util/run-command.js';
import { clearEntry, EntryRefusal, entryParts, lstatOrNull, refuseEntry as refuse, walkParents, writeNewFile } from '../fs/confined-tree.js';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

export interface ApplyResult {
  /** Bytes of regular-file content written. */
  size: number;
}

async function mknod(path: string, type: 'c' | 'b' | 'p', mode: number, major = 0, minor = 0): Promise<void> {
  const args = ['-m', (mode & 0o7777).toString(8), path, type];
  if (type !== 'p') args.push(String(major), String(minor));
  await run('mknod', args);
}

async function setOwnerAndTime(path: string, h: Header): Promise<void> {
  await lchown(path, h.uid ?? 0, h.gid ?? 0);
  if (h.mtime) await lutimes(path, h.mtime, h.mtime);
}

/** tar-stream's parse errors ("Invalid tar header", "Unexpected end of data") are the client's fault. */
export function asTarFormatError(err: unknown): unknown {
  if (err instanceof Error && !(err as NodeJS.ErrnoException).code && err.name === 'Error') {
    return invalidArgument(`invalid tar archive: ${err.message}`);
  }
  return err;
}

/** Applies one tar stream (uncompressed) to `dest`, which must exist. Throws invalidArgument on unsafe entries. */
export async function applyTar(input: Readable, dest: string): Promise<ApplyResult> {
  const extract = tar.extract();
  const dirTimes: Array<{ path: string; mtime: Date }> = [];
  let size = 0;
  input.on('error', (err) => extract.destroy(err));
  input.pipe(extract);
  try {
    for await (const entry of extract) {
      const h = entry.header;
      size += await applyEntry(dest, h, entry, dirTimes);
      entry.resume();
    }
  } catch (err) {
    input.unpipe(extract);
    input.resume();
    if (err instanceof EntryRefusal) throw invalidArgument(err.message);
    throw asTarFormatError(err);
  }
  // Directory times last, deepest first: creating children would change them again.
  for (const d of dirTimes.reverse()) await lutimes(d.path, d.mtime, d.mtime);
  return { size };
}

async function applyEntry(root: string, h: Header, entry: AsyncIterable<unknown>, dirTimes: Array<{ path: string; mtime: Date }>): Promise<number> {
  const name = h.name;
  const parts = entryParts(name);
  if (parts.length === 0) {
    if (h.type !== 'directory') refuse(name, 'names the layer root');
    return 0;
  }
  const base = parts[parts.length - 1];
  const parentDir = await walkParents(root, parts.slice(0, -1), name, true);
  const path = join(parentDir, base);

  if (base === OPAQUE_WHITEOUT) {
    await run('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', parentDir]);
    return 0;
  }
  if (base.startsWith(WHITEOUT_PREFIX)) {
    const hidden = base.slice(WHITEOUT_PREFIX.length);
    if (hidden === '' || hidden === '.' || hidden === '..') refuse(name, 'invalid whiteout');
    const target = join(parentDir, hidden);
    await clearEntry(target, false);
    await mknod(target, 'c', 0, 0, 0);
    return 0;
  }

  switch (h.type) {
    case 'directory': {
      const existed = await clearEntry(path, true);
      if (!existed) await mkdir(path, { mode: 0o700 });
      await lchown(path, h.uid ?? 0, h.gid ?? 0);
      await chmod(path, (h.mode ?? 0o755) & 0o7777);
      if (h.mtime) dirTimes.push({ path, mtime: h.mtime });
      return 0;
    }
    case 'file':
    case 'contiguous-file': {
      await clearEntry(path, false);
      return await writeNewFile(path, entry, async (fh) => {
        await fh.chown(h.uid ?? 0, h.gid ?? 0);
        // chmod after chown: chown clears setuid/setgid bits.
        await fh.chmod((h.mode ?? 0o644) & 0o7777);
        if (h.mtime) await fh.utimes(h.mtime, h.mtime);
      });
    }
    case 'symlink': {
      if (!h.linkname) refuse(name, 'symlink without a target');
      await clearEntry(path, false);
      await symlink(h.linkname, path);
      await setOwnerAndTime(path, h);
      return 0;
    }
    case 'link': {
      const targetParts = entryParts(h.linkname ?? '', name);
      if (targetParts.length === 0) refuse(name, 'hardlink to the layer root');
      const targetDir = await walkParents(root, targetParts.slice(0, -1), name, false);
      const target = join(targetDir, targetParts[targetParts.length - 1]);
      const st = await lstatOrNull(target);
      if (!st) refuse(name, `hardlink target ${h.linkname} is not in the layer`);
      if (st.isDirectory()) refuse(name, `hardlink target ${h.linkname} is a directory`);
      if (target === path) return 0;
      await clearEntry(path, false);
      await link(target, path);
      return 0;
    }
    case 'character-device':
    case 'block-device':
    case 'fifo': {
      await clearEntry(path, false);
      const kind = h.type === 'fifo' ? 'p' : h.type === 'character-device' ? 'c' : 'b';
      await mknod(path, kind, h.mode ?? 0o644, h.devmajor ?? 0, h.devminor ?? 0);
      await setOwnerAndTime(path, h);
      return 0;
    }
    default:
      refuse(name, `unsupported entry type ${String(h.type)}`);
  }
}
