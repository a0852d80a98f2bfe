// Bind mounts of host paths (volume data dirs, bind sources) onto paths inside a mounted root filesystem,
// so a stopped container's root shows its volumes where the container would see them (docker cp reads
// and writes through them, not into the layer hidden under them). Each destination is resolved inside
// the root component by component (no symlink leads out), and a missing mount point is created there.
import { lstat, mkdir, stat, writeFile } from 'node:fs/promises';
import { internal } from '../errors.js';
import { CommandFailed, runCommand } from '../util/run-command.js';
import { joinRoot, scopedParts } from './resolve-in-root.js';

export interface RootBind { source: string; destination: string; readOnly: boolean; recursive: boolean }

async function mount(args: string[]): Promise<void> {
  await runCommand('mount', args, { timeoutMs: 30_000 }).catch((err: unknown) => {
    throw internal(err instanceof CommandFailed ? err.message : String(err));
  });
}

/** Mounts each bind (parents first); returns the host targets, to give to `unbindFromRoot`. */
export async function bindIntoRoot(root: string, binds: RootBind[]): Promise<string[]> {
  const done: string[] = [];
  try {
    for (const b of [...binds].sort((x, y) => x.destination.split('/').length - y.destination.split('/').length)) {
      const target = joinRoot(root, await scopedParts(root, b.destination, true));
      const src = await stat(b.source);
      if (!(await lstat(target).catch(() => null))) {
        if (src.isDirectory()) await mkdir(target, { recursive: true, mode: 0o755 });
        else {
          await mkdir(joinRoot(root, (await scopedParts(root, b.destination, true)).slice(0, -1)), { recursive: true, mode: 0o755 });
          await writeFile(target, '', { flag: 'wx', mode: 0o644 });
        }
      }
      await mount([b.recursive ? '--rbind' : '--bind', b.source, target]);
      done.push(target);
      if (b.readOnly) await mount(['-o', 'remount,bind,ro', target]);
    }
    return done;
  } catch (err) {
    await unbindFromRoot(done);
    throw err;
  }
}

/** Unmounts what `bindIntoRoot` mounted, children first (lazily when busy). */
export async function unbindFromRoot(targets: string[]): Promise<void> {
  for (const t of [...targets].reverse()) {
    await runCommand('umount', ['-R', t], { timeoutMs: 30_000 }).catch(() => runCommand('umount', ['-l', t], { timeoutMs: 30_000 }).catch(() => undefined));
  }
}
