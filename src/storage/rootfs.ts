// A container's root filesystem: an overlay of the image's layer directories (read-only lowers) with a
// fresh upper and work dir per container, mounted at <container>/merged while the container runs.
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { internal } from '../errors.js';

export interface RootfsPaths { lower: string[]; upper: string; work: string; merged: string }

function exec(cmd: string, args: string[], cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, timeout: 30_000 }, (err, _out, stderr) => {
      if (err) reject(internal(`${cmd} ${args.join(' ')}: ${String(stderr || err.message).trim()}`));
      else resolve();
    });
  });
}

/** Overlay options; long lowerdir lists use paths relative to their common parent (mount runs there). */
export function overlayOptions(p: RootfsPaths): { options: string; cwd?: string } {
  const full = `lowerdir=${p.lower.join(':')},upperdir=${p.upper},workdir=${p.work}`;
  if (full.length < 3500 || p.lower.length === 0) return { options: full };
  const parent = dirname(p.lower[0]);
  if (!p.lower.every((l) => dirname(l) === parent)) return { options: full };
  const rel = p.lower.map((l) => l.slice(parent.length + 1));
  return { options: `lowerdir=${rel.join(':')},upperdir=${p.upper},workdir=${p.work}`, cwd: parent };
}

export async function prepareRootfsDirs(p: RootfsPaths): Promise<void> {
  await Promise.all([mkdir(p.upper, { recursive: true, mode: 0o755 }), mkdir(p.work, { recursive: true, mode: 0o700 }), mkdir(p.merged, { recursive: true, mode: 0o755 })]);
}

export async function mountRootfs(p: RootfsPaths): Promise<void> {
  if (p.lower.length === 0) throw internal('image has no layers to mount');
  const { options, cwd } = overlayOptions(p);
  await exec('mount', ['-t', 'overlay', 'overlay', '-o', options, p.merged], cwd);
}

export async function isMounted(target: string): Promise<boolean> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text.split('\n').some((l) => l.split(' ')[4] === target);
}

/** Unmounts when mounted (checked first: reading mountinfo is much cheaper than spawning umount). */
export async function unmountRootfs(merged: string): Promise<void> {
  if (!(await isMounted(merged))) return;
  await exec('umount', [merged]).catch(async (err: Error) => {
    if (!(await isMounted(merged))) return; // not mounted: nothing to do
    await exec('umount', ['-l', merged]).catch(() => { throw err; });
  });
}

/**
 * Reads a file as the overlay would show it, without mounting: the first layer (top-most first) that
 * has it wins; a whiteout (0/0 char device or `.wh.<name>`) hides it. For small files like /etc/passwd.
 */
export function readFileFromLayers(dirs: string[], rel: string): string | undefined {
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
    return readFileSync(p, 'utf8');
  }
  return undefined;
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
