// Docker's copy-up: a fresh, empty volume mounted over a directory of the image is first filled with
// that directory's content (ownership, modes, links kept), unless `nocopy`. The image's view comes
// from its layers: the single layer itself, or a read-only overlay of them mounted for the copy.
import { lstatSync } from 'node:fs';
import { chmod, chown, readdir, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { internal } from '../errors.js';
import { mountLayersReadOnly, unmountRootfs } from '../fs/overlay.js';
import { scopedPath } from '../fs/resolve-in-root.js';
import { CommandFailed, runCommand } from '../util/run-command.js';

export interface CopyJob { destination: string; dir: string }

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

/** Copies the image's content at each job's destination into its volume dir when that dir is empty. */
export async function copyUp(layers: string[], jobs: CopyJob[], scratch: string): Promise<void> {
  const todo: CopyJob[] = [];
  for (const j of jobs) if (layers.length && mayExist(layers, j.destination) && (await isEmptyDir(j.dir))) todo.push(j);
  if (todo.length === 0) return;
  const mounted = layers.length > 1;
  const root = mounted ? scratch : layers[0];
  if (mounted) await mountLayersReadOnly(layers, scratch);
  try {
    for (const j of todo) {
      const src = await scopedPath(root, j.destination);
      let st;
      try { st = await stat(src); } catch { continue; }
      if (!st.isDirectory()) continue;
      await runCommand('cp', ['-a', '--', `${src}/.`, `${j.dir}/`], { timeoutMs: 600_000, maxBuffer: 4 * 1024 * 1024 })
        .catch((err: unknown) => { throw internal(`cp: ${err instanceof CommandFailed ? err.detail : String(err)}`); });
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
