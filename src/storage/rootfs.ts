// A container's root filesystem: an overlay of the image's layer directories (read-only lowers) with a
// fresh upper and work dir per container, mounted at <container>/merged while the container runs. The
// mounting itself is src/fs/overlay.ts; here, reading files as the layers show them without a mount.
import { existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { invalidArgument } from '../errors.js';
import { DEFAULT_READ_LIMIT, RUNTIME_MOUNTED_DIRS, readRegularFile } from '../fs/read-regular.js';

export { isMounted, mountRootfs, overlayOptions, prepareRootfsDirs, unmountRootfs, type RootfsPaths } from '../fs/overlay.js';

/**
 * Where a file is as the overlay would show it, without mounting: the first layer (top-most first) that
 * has it wins; a whiteout (0/0 char device or `.wh.<name>`) hides it; anything but a regular file counts
 * as absent. Only lstat is used, and no symlink on the way is followed.
 */
export function fileInLayers(dirs: string[], rel: string): string | undefined {
  const clean = rel.replace(/^\/+/, '');
  const name = basename(clean);
  const parent = dirname(clean);
  for (const dir of dirs) {
    const p = join(dir, clean);
    // Never follow a symlink out of the layer (an image's /etc could point anywhere on the host).
    if (!realDirChain(dir, parent)) continue;
    if (existsSync(join(dir, parent, `.wh.${name}`))) return undefined;
    let st;
    try { st = lstatSync(p); } catch { continue; }
    if (st.isCharacterDevice() && st.rdev === 0) return undefined;
    if (!st.isFile()) return undefined;
    return p;
  }
  return undefined;
}

/** A small file (/etc/passwd) as the layers show it, read with src/fs/read-regular.ts: async, bounded. */
export async function readTextFromLayers(dirs: string[], rel: string): Promise<string | undefined> {
  const p = fileInLayers(dirs, rel);
  if (!p) return undefined;
  try { return (await readRegularFile(p))?.toString('utf8'); } catch { return undefined; }
}

/**
 * A user database (/etc/passwd, /etc/group) as the layers show it, for a start: absent is undefined, but a
 * FIFO, socket, device, directory or a link into /dev, /proc or /sys is an error, because runc opens the
 * file again inside the container and would hang on it (src/fs/read-regular.ts readUserDbInRoot).
 */
export async function readUserDbFromLayers(dirs: string[], rel: string): Promise<string | undefined> {
  const clean = rel.replace(/^\/+/, '');
  const parent = dirname(clean);
  for (const dir of dirs) {
    if (!realDirChain(dir, parent)) continue;
    if (existsSync(join(dir, parent, `.wh.${basename(clean)}`))) return undefined;
    const p = join(dir, clean);
    let st;
    try { st = lstatSync(p); } catch { continue; }
    if (st.isCharacterDevice() && st.rdev === 0) return undefined;
    if (st.isFile()) return (await readRegularFile(p))?.toString('utf8');
    if (st.isSymbolicLink()) {
      const link = readlinkSync(p);
      const target = posix.normalize(link.startsWith('/') ? link : posix.join('/', parent, link)).split('/')[1] ?? '';
      if (RUNTIME_MOUNTED_DIRS.includes(target)) throw invalidArgument(`/${clean} is not a regular file`);
      return undefined; // a link elsewhere: read as absent, as before (runc resolves it inside the container)
    }
    throw invalidArgument(`/${clean} is not a regular file`);
  }
  return undefined;
}

/** Synchronous form for tools and tests; bounded like readTextFromLayers. */
export function readFileFromLayers(dirs: string[], rel: string): string | undefined {
  const p = fileInLayers(dirs, rel);
  if (!p || lstatSync(p).size > DEFAULT_READ_LIMIT) return undefined;
  return readFileSync(p, 'utf8');
}

/** True when every component of `rel` under `root` is a real directory (no symlinks). */
function realDirChain(root: string, rel: string): boolean {
  let cur = root;
  for (const part of rel.split('/').filter((x) => x && x !== '.')) {
    cur = join(cur, part);
    try { if (!lstatSync(cur).isDirectory()) return false; } catch { return false; }
  }
  return true;
}
