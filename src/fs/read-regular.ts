// Reads a file that something untrusted (a container, an image) controls, safely: opened with
// O_NOFOLLOW|O_NONBLOCK (a symlink or a FIFO never blocks or redirects the open), refused unless it is a
// regular file (FIFOs, devices, sockets, directories), refused when larger than the bound, read
// asynchronously and never past the bound even when the file grows meanwhile.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { invalidArgument } from '../errors.js';
import { joinRoot, scopedParts, scopedPath } from './resolve-in-root.js';

/** Generous for /etc/passwd, /etc/group and image configs; callers pass their own when they need more. */
export const DEFAULT_READ_LIMIT = 4 * 1024 * 1024;

export interface ReadOptions { maxBytes?: number }

/**
 * The content of the regular file at `path` (its last component is not followed), or undefined when it
 * does not exist. Anything but a regular file, or one over the bound, is an invalid-argument error.
 */
export async function readRegularFile(path: string, opts: ReadOptions = {}): Promise<Buffer | undefined> {
  const max = opts.maxBytes ?? DEFAULT_READ_LIMIT;
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code === 'ELOOP') throw invalidArgument(`${path} is a symbolic link`);
    throw err;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw invalidArgument(`${path} is not a regular file`);
    if (st.size > max) throw invalidArgument(`${path} is larger than ${max} bytes`);
    const buf = Buffer.alloc(Math.min(st.size, max) + 1);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (got > max) throw invalidArgument(`${path} is larger than ${max} bytes`);
    return buf.subarray(0, got);
  } finally {
    await fh.close();
  }
}

/** `path` as seen inside `root` (resolve-in-root.ts), read with readRegularFile. */
export async function readFileInRoot(root: string, path: string, opts: ReadOptions = {}): Promise<Buffer | undefined> {
  return await readRegularFile(await scopedPath(root, path), opts);
}

/** Text of a file inside a root for lookups such as /etc/passwd: absent or unusable files read as undefined. */
export async function readTextInRoot(root: string, path: string, opts: ReadOptions = {}): Promise<string | undefined> {
  try { return (await readFileInRoot(root, path, opts))?.toString('utf8'); } catch { return undefined; }
}

/** Top directories the runtime mounts over a container's root: a link into them reaches a device or /proc. */
export const RUNTIME_MOUNTED_DIRS = ['dev', 'proc', 'sys'];

/**
 * Text of a user database (/etc/passwd, /etc/group) inside a root. Absent reads as undefined, but a file the
 * runtime could not use is an error rather than "absent": runc opens these files again inside the container
 * and would block forever on a FIFO, or read a link to /dev/zero without end, leaving the start or exec hung.
 */
export async function readUserDbInRoot(root: string, path: string): Promise<string | undefined> {
  const parts = await scopedParts(root, path, true);
  if (parts.length > 0 && RUNTIME_MOUNTED_DIRS.includes(parts[0])) throw invalidArgument(`${path} is not a regular file`);
  try {
    return (await readRegularFile(joinRoot(root, parts)))?.toString('utf8');
  } catch (err) {
    // Name the file as the container sees it, not by its host path.
    throw invalidArgument(`${path} is not a usable file (${(err as NodeJS.ErrnoException).code ?? 'not a regular file or too large'})`);
  }
}
