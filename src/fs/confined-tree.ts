// Writing entries into a directory tree that an archive describes (a layer being unpacked, a load spool),
// never through a link: entry names are split and checked once (`..` and NUL refused), parents are walked
// one component at a time with lstat and must be real directories (a symlink parent is refused, not
// followed), what stands in an entry's place is removed rather than written through, and new files are
// created with O_CREAT|O_EXCL|O_NOFOLLOW. Paths seen as a container sees them are resolve-in-root.ts.
import { constants, type Stats } from 'node:fs';
import { lstat, mkdir, open, rm, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** An archive entry that may not be written; callers turn it into their own invalid-argument message. */
export class EntryRefusal extends Error {}

export function refuseEntry(name: string, reason: string): never {
  throw new EntryRefusal(`refusing to extract layer entry ${JSON.stringify(name)}: ${reason}`);
}

/** Splits an entry name into components; `.` and empty parts drop out, `..` and NUL bytes are refused. */
export function entryParts(name: string, what = name): string[] {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) refuseEntry(what, 'path contains ".."');
  if (parts.some((p) => p.includes('\0'))) refuseEntry(what, 'path contains a NUL byte');
  return parts;
}

/** lstat, or null when nothing is there. */
export async function lstatOrNull(path: string): Promise<Stats | null> {
  try { return await lstat(path); } catch (err) { if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null; throw err; }
}

/**
 * Walks `parents` below `root`, creating missing directories when `create` (else refusing them), and
 * refusing symlinks and non-directories; returns the host path of the last one.
 */
export async function walkParents(root: string, parents: string[], name: string, create: boolean): Promise<string> {
  let cur = root;
  for (let i = 0; i < parents.length; i++) {
    cur = join(cur, parents[i]);
    const st = await lstatOrNull(cur);
    const rel = parents.slice(0, i + 1).join('/');
    if (!st) {
      if (!create) refuseEntry(name, `${rel} is not in the layer`);
      await mkdir(cur, { mode: 0o755 });
      continue;
    }
    if (st.isSymbolicLink()) refuseEntry(name, `parent ${rel} is a symlink`);
    if (!st.isDirectory()) refuseEntry(name, `parent ${rel} is not a directory`);
  }
  return cur;
}

/** Removes whatever is at `path` unless it is a directory and `keepDir`; true when a kept directory is there. */
export async function clearEntry(path: string, keepDir: boolean): Promise<boolean> {
  const st = await lstatOrNull(path);
  if (!st) return false;
  if (st.isDirectory()) {
    if (keepDir) return true;
    await rm(path, { recursive: true, force: true });
  } else {
    await unlink(path);
  }
  return false;
}

/** A new regular file at `path` (fails when anything is there, never follows a link), opened for writing. */
export async function createNewFile(path: string, mode = 0o600): Promise<FileHandle> {
  return await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
}

/** Writes a tar entry's body into a new file; returns the bytes written. */
export async function writeNewFile(path: string, body: AsyncIterable<unknown>, then?: (fh: FileHandle) => Promise<void>): Promise<number> {
  const fh = await createNewFile(path);
  let size = 0;
  try {
    for await (const chunk of body) { size += (chunk as Buffer).length; await fh.write(chunk as Buffer); }
    if (then) await then(fh);
  } finally {
    await fh.close();
  }
  return size;
}
