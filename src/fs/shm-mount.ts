// The host-side /dev/shm of a container whose IPC others may join (IpcMode `shareable`), as dockerd
// keeps it under containers/<id>/mounts/shm: a tmpfs that `--ipc container:X` peers bind-mount too.
import { mkdir } from 'node:fs/promises';
import { internal } from '../errors.js';
import { CommandFailed, runCommand } from '../util/run-command.js';
import { isMounted } from './overlay.js';

export interface ShmOwner { uid: number; gid: number }

/** Mounts (once) a tmpfs of `size` bytes at `target`; owned by `owner` (a remapped root) when given. */
export async function mountShm(target: string, size: number, owner?: ShmOwner): Promise<void> {
  await mkdir(target, { recursive: true, mode: 0o700 });
  if (await isMounted(target)) return;
  const opts = ['nosuid', 'nodev', 'noexec', 'mode=1777', `size=${size}`, ...(owner ? [`uid=${owner.uid}`, `gid=${owner.gid}`] : [])];
  await runCommand('mount', ['-t', 'tmpfs', '-o', opts.join(','), 'shm', target], { timeoutMs: 30_000 }).catch((err: unknown) => {
    throw internal(err instanceof CommandFailed ? err.message : String(err));
  });
}
