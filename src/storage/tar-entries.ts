// Safe extraction of one layer tar into a directory, with Docker's whiteouts turned into overlayfs ones.
// Every entry is confined to the layer: `..` is refused, absolute names are rooted in the layer, no parent
// may be a symlink (checked with lstat), files are opened with O_NOFOLLOW|O_EXCL, symlink entries are
// created but never followed, and hardlinks must name a file already in the layer.
// This runs inside an unpack worker (src/storage/unpack-worker.ts), never on berthd's event loop: the fs
// calls are synchronous because each is one syscall on the worker's own thread, which is many times
// cheaper per file than a round trip through libuv's pool.
import { constants, closeSync, fchmodSync, fchownSync, futimesSync, lchownSync, lstatSync, lutimesSync, mkdirSync, openSync, rmSync, symlinkSync, linkSync, unlinkSync, chmodSync, writeSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Header } from 'tar-stream';
import { invalidArgument } from '../errors.js';
import { runCommand as run } from '../util/run-command.js';
import { EntryRefusal, entryParts, refuseEntry } from '../fs/confined-tree.js';

export { entryParts };

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

export interface ApplyResult {
  /** Bytes of regular-file content written. */
  size: number;
}

/** tar-stream's parse errors ("Invalid tar header", "Unexpected end of data") are the client's fault. */
export function asTarFormatError(err: unknown): unknown {
  if (err instanceof EntryRefusal) return invalidArgument(err.message);
  if (err instanceof Error && !(err as NodeJS.ErrnoException).code && err.name === 'Error') {
    return invalidArgument(`invalid tar archive: ${err.message}`);
  }
  return err;
}

function lstatOrNull(path: string): Stats | null {
  try { return lstatSync(path); } catch (err) { if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null; throw err; }
}

/** One tar applied to one directory; remembers which paths it has already seen to be real directories. */
export class TarApplier {
  /** Paths known to be directories (not symlinks) right now: their lstat is skipped for later entries. */
  private readonly dirs = new Set<string>();
  private readonly dirTimes: Array<{ path: string; mtime: Date }> = [];
  size = 0;

  constructor(private readonly root: string) {}

  /** Applies one entry; `content` is the entry's data stream (read to its end for files). */
  async apply(h: Header, content: AsyncIterable<unknown>): Promise<void> {
    const name = h.name;
    const parts = entryParts(name);
    if (parts.length === 0) {
      if (h.type !== 'directory') refuseEntry(name, 'names the layer root');
      return;
    }
    const base = parts[parts.length - 1];
    const parentDir = this.ensureParents(parts.slice(0, -1), name, true);
    const path = join(parentDir, base);

    if (base === OPAQUE_WHITEOUT) {
      await run('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', parentDir]);
      return;
    }
    if (base.startsWith(WHITEOUT_PREFIX)) {
      const hidden = base.slice(WHITEOUT_PREFIX.length);
      if (hidden === '' || hidden === '.' || hidden === '..') refuseEntry(name, 'invalid whiteout');
      const target = join(parentDir, hidden);
      this.clearTarget(target, false);
      await mknod(target, 'c', 0, 0, 0);
      return;
    }

    switch (h.type) {
      case 'directory': {
        if (!this.clearTarget(path, true)) mkdirSync(path, { mode: 0o700 });
        this.dirs.add(path);
        lchownSync(path, h.uid ?? 0, h.gid ?? 0);
        chmodSync(path, (h.mode ?? 0o755) & 0o7777);
        if (h.mtime) this.dirTimes.push({ path, mtime: h.mtime });
        return;
      }
      case 'file':
      case 'contiguous-file': {
        this.clearTarget(path, false);
        this.size += await writeFile(path, content, h);
        return;
      }
      case 'symlink': {
        if (!h.linkname) refuseEntry(name, 'symlink without a target');
        this.clearTarget(path, false);
        symlinkSync(h.linkname, path);
        setOwnerAndTime(path, h);
        return;
      }
      case 'link': {
        const targetParts = entryParts(h.linkname ?? '', name);
        if (targetParts.length === 0) refuseEntry(name, 'hardlink to the layer root');
        const targetDir = this.ensureParents(targetParts.slice(0, -1), name, false);
        const target = join(targetDir, targetParts[targetParts.length - 1]);
        const st = lstatOrNull(target);
        if (!st) refuseEntry(name, `hardlink target ${h.linkname} is not in the layer`);
        if (st.isDirectory()) refuseEntry(name, `hardlink target ${h.linkname} is a directory`);
        if (target === path) return;
        this.clearTarget(path, false);
        linkSync(target, path);
        return;
      }
      case 'character-device':
      case 'block-device':
      case 'fifo': {
        this.clearTarget(path, false);
        const kind = h.type === 'fifo' ? 'p' : h.type === 'character-device' ? 'c' : 'b';
        await mknod(path, kind, h.mode ?? 0o644, h.devmajor ?? 0, h.devminor ?? 0);
        setOwnerAndTime(path, h);
        return;
      }
      default:
        refuseEntry(name, `unsupported entry type ${String(h.type)}`);
    }
  }

  /** Directory times last, deepest first: creating children would change them again. */
  finish(): ApplyResult {
    for (const d of this.dirTimes.reverse()) {
      // A later entry may have replaced the directory; its time then belongs to whatever is there now.
      if (this.dirs.has(d.path)) lutimesSync(d.path, d.mtime, d.mtime);
    }
    return { size: this.size };
  }

  /** Walks the parents of an entry: creates missing ones, refuses symlinks and non-directories. */
  private ensureParents(parents: string[], name: string, create: boolean): string {
    let cur = this.root;
    for (let i = 0; i < parents.length; i++) {
      cur = join(cur, parents[i]);
      if (this.dirs.has(cur)) continue;
      const st = lstatOrNull(cur);
      const rel = parents.slice(0, i + 1).join('/');
      if (!st) {
        if (!create) refuseEntry(name, `${rel} is not in the layer`);
        mkdirSync(cur, { mode: 0o755 });
      } else if (st.isSymbolicLink()) {
        refuseEntry(name, `parent ${rel} is a symlink`);
      } else if (!st.isDirectory()) {
        refuseEntry(name, `parent ${rel} is not a directory`);
      }
      this.dirs.add(cur);
    }
    return cur;
  }

  /** Removes whatever is at `path` unless it is a directory and one is wanted there; true when a directory stays. */
  private clearTarget(path: string, keepDir: boolean): boolean {
    const st = lstatOrNull(path);
    if (!st) return false;
    if (st.isDirectory()) {
      if (keepDir) return true;
      rmSync(path, { recursive: true, force: true });
      this.forgetTree(path);
    } else {
      unlinkSync(path);
    }
    return false;
  }

  private forgetTree(path: string): void {
    const prefix = path + '/';
    this.dirs.delete(path);
    for (const d of this.dirs) if (d.startsWith(prefix)) this.dirs.delete(d);
  }
}

async function writeFile(path: string, content: AsyncIterable<unknown>, h: Header): Promise<number> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const fd = openSync(path, flags, 0o600);
  let size = 0;
  try {
    for await (const chunk of content) {
      const buf = chunk as Buffer;
      for (let off = 0; off < buf.length;) off += writeSync(fd, buf, off, buf.length - off);
      size += buf.length;
    }
    fchownSync(fd, h.uid ?? 0, h.gid ?? 0);
    // chmod after chown: chown clears setuid/setgid bits.
    fchmodSync(fd, (h.mode ?? 0o644) & 0o7777);
    if (h.mtime) futimesSync(fd, h.mtime, h.mtime);
  } finally {
    closeSync(fd);
  }
  return size;
}

/** Node has no mknod(2): whiteouts and device entries go through the tool. */
async function mknod(path: string, type: 'c' | 'b' | 'p', mode: number, major = 0, minor = 0): Promise<void> {
  const args = ['-m', (mode & 0o7777).toString(8), path, type];
  if (type !== 'p') args.push(String(major), String(minor));
  await run('mknod', args);
}

function setOwnerAndTime(path: string, h: Header): void {
  lchownSync(path, h.uid ?? 0, h.gid ?? 0);
  if (h.mtime) lutimesSync(path, h.mtime, h.mtime);
}

/** Every entry of a tar-stream extractor applied to `root`; unsafe entries fail with an EntryRefusal. */
export async function applyEntries(entries: AsyncIterable<{ header: Header; resume(): unknown } & AsyncIterable<unknown>>, root: string): Promise<ApplyResult> {
  const applier = new TarApplier(root);
  for await (const entry of entries) {
    await applier.apply(entry.header, entry);
    entry.resume();
  }
  return applier.finish();
}
