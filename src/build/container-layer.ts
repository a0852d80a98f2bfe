// A container's writable layer as an image layer (RUN steps and `commit`): the overlay upper dir packed as
// a Docker layer tar, minus what the runtime made for its own mounts (Docker's init layer: /proc, /sys,
// /dev, /etc/hosts, /etc/hostname, /etc/resolv.conf, /.dockerenv) and minus a directory copied up only to
// hold those. Undefined when nothing is left: Docker records such a step as an empty layer.
import { lstat, readdir } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { packDiff } from '../storage/tar-diff.js';

const INIT_FILES = ['etc/hosts', 'etc/hostname', 'etc/resolv.conf', 'etc/mtab', '.dockerenv'];
const INIT_DIRS = ['proc', 'sys', 'dev'];

async function exists(p: string): Promise<boolean> {
  try { await lstat(p); return true; } catch { return false; }
}

async function inLowers(lowers: string[], rel: string): Promise<boolean> {
  for (const l of lowers) if (await exists(`${l}/${rel}`)) return true;
  return false;
}

/** Paths (relative, no leading slash) of `upper` that belong to the runtime, not to the container. */
export async function initPaths(upper: string, lowers: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const f of INIT_FILES) {
    const st = await lstat(`${upper}/${f}`).catch(() => null);
    // An empty mount-point file the runtime created (the image had none): not the container's work.
    if (st && st.isFile() && st.size === 0 && !(await inLowers(lowers, f))) out.add(f);
  }
  for (const d of INIT_DIRS) {
    const st = await lstat(`${upper}/${d}`).catch(() => null);
    if (!st || !st.isDirectory()) continue;
    const inside = await readdir(`${upper}/${d}`).catch(() => []);
    if (!(await inLowers(lowers, d)) || inside.length === 0) out.add(d);
  }
  // /etc copied up (or created) only for the mount-point files above.
  const etc = await readdir(`${upper}/etc`).catch(() => null);
  if (etc && etc.every((n) => out.has(`etc/${n}`))) out.add('etc');
  return out;
}

/** The layer tar of `upper`, or undefined when the container changed nothing of its own. */
export async function containerLayer(upper: string, lowers: string[]): Promise<Readable | undefined> {
  const skip = await initPaths(upper, lowers);
  const top = await readdir(upper).catch(() => [] as string[]);
  if (top.every((n) => skip.has(n))) return undefined;
  return packDiff(upper, { exclude: (rel) => skip.has(rel) || [...skip].some((s) => INIT_DIRS.includes(s) && rel.startsWith(`${s}/`)) });
}
