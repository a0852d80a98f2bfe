// Docker's copy-up: a fresh, empty volume mounted over a directory of the image is first filled with
// that directory's content (ownership, modes, links kept), unless `nocopy`. The image's view comes
// from its layers: the single layer itself, or a read-only overlay of them mounted for the copy.
import { execFile } from 'node:child_process';
import { lstatSync, readlinkSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, rmdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { internal } from '../errors.js';
import { unmountRootfs } from '../storage/rootfs.js';

export interface CopyJob { destination: string; dir: string }

function run(cmd: string, args: string[], cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, timeout: 600_000, maxBuffer: 4 * 1024 * 1024 }, (err, _o, stderr) => (err ? reject(internal(`${cmd}: ${String(stderr || err.message).trim()}`)) : resolve()));
  });
}

/**
 * Resolves `p` inside `root` the way the container would see it: symlinks are followed but can never
 * lead out of `root` (absolute targets and `..` stay inside it). Bounded like the kernel's 40 hops.
 */
export function resolveInRoot(root: string, p: string): string {
  let rest = p.split('/').filter(Boolean);
  let cur: string[] = [];
  let hops = 0;
  while (rest.length) {
    const part = rest.shift()!;
    if (part === '.') continue;
    if (part === '..') { cur.pop(); continue; }
    const full = join(root, ...cur, part);
    let isLink = false;
    try { isLink = lstatSync(full).isSymbolicLink(); } catch { /* missing: keep the name */ }
    if (!isLink) { cur.push(part); continue; }
    if (++hops > 40) throw internal(`too many levels of symbolic links: ${p}`);
    const target = readlinkSync(full);
    if (target.startsWith('/')) cur = [];
    rest = [...target.split('/').filter(Boolean), ...rest];
  }
  return join(root, ...cur);
}

/** Could any layer have something at `p` (or a symlink on the way)? Cheap pre-check before mounting. */
function mayExist(layers: string[], p: string): boolean {
  const parts = p.split('/').filter(Boolean);
  for (const layer of layers) {
    let cur = layer;
    for (const part of parts) {
      cur = join(cur, part);
      let st;
      try { st = lstatSync(cur); } catch { break; }
      if (st.isSymbolicLink()) return true;
      if (cur.length === join(layer, ...parts).length) return true;
    }
  }
  return false;
}

async function isEmptyDir(dir: string): Promise<boolean> {
  try { return (await readdir(dir)).length === 0; } catch { return false; }
}

/** Read-only overlay of the layers (top-most first); long lists use paths relative to their parent. */
async function mountLayers(layers: string[], target: string): Promise<void> {
  await mkdir(target, { recursive: true, mode: 0o700 });
  let lower = layers.join(':');
  let cwd: string | undefined;
  const parent = dirname(layers[0]);
  if (lower.length > 3500 && layers.every((l) => dirname(l) === parent)) {
    lower = layers.map((l) => l.slice(parent.length + 1)).join(':');
    cwd = parent;
  }
  await run('mount', ['-t', 'overlay', 'overlay', '-o', `ro,lowerdir=${lower}`, target], cwd);
}

/** Copies the image's content at each job's destination into its volume dir when that dir is empty. */
export async function copyUp(layers: string[], jobs: CopyJob[], scratch: string): Promise<void> {
  const todo: CopyJob[] = [];
  for (const j of jobs) if (layers.length && mayExist(layers, j.destination) && (await isEmptyDir(j.dir))) todo.push(j);
  if (todo.length === 0) return;
  const mounted = layers.length > 1;
  const root = mounted ? scratch : layers[0];
  if (mounted) await mountLayers(layers, scratch);
  try {
    for (const j of todo) {
      const src = resolveInRoot(root, j.destination);
      let st;
      try { st = await stat(src); } catch { continue; }
      if (!st.isDirectory()) continue;
      await run('cp', ['-a', '--', `${src}/.`, `${j.dir}/`]);
      // The volume's root takes the image directory's owner and mode, as Docker's copyOwnership does.
      await chown(j.dir, st.uid, st.gid);
      await chmod(j.dir, st.mode & 0o7777);
    }
  } finally {
    if (mounted) {
      await unmountRootfs(scratch);
      await rmdir(scratch).catch(() => undefined);
    }
  }
}
