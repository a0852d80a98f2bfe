// `docker diff`: what the container's writable layer (the overlay upper dir) changed against its image:
// Kind 0 modified, 1 added, 2 deleted (whiteouts). The mount points the runtime creates (/dev, /proc,
// /sys, /etc/hosts...) are Docker's init layer, not the user's changes, and are left out; a directory
// that was only copied up because of them is left out too.
import { lstat, readdir } from 'node:fs/promises';
import type { Stats } from 'node:fs';

export interface Change { Path: string; Kind: 0 | 1 | 2 }

const INIT_PATHS = ['/dev', '/proc', '/sys', '/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/etc/mtab', '/.dockerenv'];

const INIT_TREES = ['/dev', '/proc', '/sys'];

function isInitPath(p: string): boolean {
  return INIT_PATHS.includes(p) || INIT_TREES.some((t) => p.startsWith(`${t}/`));
}

async function lstatOrNull(p: string): Promise<Stats | null> {
  try { return await lstat(p); } catch { return null; }
}

async function inLower(lowers: string[], rel: string): Promise<Stats | null> {
  for (const l of lowers) {
    const st = await lstatOrNull(l + rel);
    if (st) return st.isCharacterDevice() && st.rdev === 0 ? null : st;
  }
  return null;
}

export async function containerChanges(upper: string, lowers: string[]): Promise<Change[]> {
  const out: Change[] = [];
  /** Returns whether anything under `rel` was reported. */
  const walk = async (rel: string, added: boolean): Promise<boolean> => {
    let any = false;
    for (const name of (await readdir(upper + rel).catch(() => [] as string[])).sort()) {
      const path = `${rel}/${name}`;
      if (isInitPath(path)) continue;
      const st = await lstatOrNull(upper + path);
      if (!st) continue;
      if (st.isCharacterDevice() && st.rdev === 0) { out.push({ Path: path, Kind: 2 }); any = true; continue; }
      const lower = added ? null : await inLower(lowers, path);
      if (!lower) {
        out.push({ Path: path, Kind: 1 });
        any = true;
        if (st.isDirectory()) await walk(path, true);
        continue;
      }
      if (st.isDirectory() && lower.isDirectory()) {
        const at = out.length;
        const childChanged = await walk(path, false);
        const metaChanged = st.mode !== lower.mode || st.uid !== lower.uid || st.gid !== lower.gid;
        if (childChanged || metaChanged) { out.splice(at, 0, { Path: path, Kind: 0 }); any = true; }
        continue;
      }
      out.push({ Path: path, Kind: 0 });
      any = true;
    }
    return any;
  };
  await walk('', false);
  return out;
}
