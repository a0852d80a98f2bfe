// Overlay mounts, the one place that runs mount(8)/umount(8) for overlayfs: a container's root filesystem
// (read-only image layers under a per-container upper and work dir) and read-only views of image layers
// (copy-up). Long lowerdir lists are given relative to their common parent, with mount run there, because
// mount(2) takes at most a page of options.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { internal } from '../errors.js';
import { CommandFailed, runCommand } from '../util/run-command.js';

async function exec(cmd: string, args: string[], cwd?: string): Promise<void> {
  await runCommand(cmd, args, { cwd, timeoutMs: 30_000 }).catch((err: unknown) => {
    throw internal(err instanceof CommandFailed ? err.message : String(err));
  });
}

/**
 * `lowerdir=` for the layers (top-most first), and the other options after it: lowerdirs relative to
 * their parent, with `cwd`, when the whole option string would be too long.
 */
export function lowerdirOption(lower: string[], rest = ''): { option: string; cwd?: string } {
  const full = `lowerdir=${lower.join(':')}${rest}`;
  if (full.length < 3500 || lower.length === 0) return { option: full };
  const parent = dirname(lower[0]);
  if (!lower.every((l) => dirname(l) === parent)) return { option: full };
  return { option: `lowerdir=${lower.map((l) => l.slice(parent.length + 1)).join(':')}${rest}`, cwd: parent };
}

export interface RootfsPaths { lower: string[]; upper: string; work: string; merged: string }

/** Overlay options; long lowerdir lists use paths relative to their common parent (mount runs there). */
export function overlayOptions(p: RootfsPaths): { options: string; cwd?: string } {
  const { option, cwd } = lowerdirOption(p.lower, `,upperdir=${p.upper},workdir=${p.work}`);
  return { options: option, ...(cwd ? { cwd } : {}) };
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

/** Read-only overlay of image layers (top-most first) at `target`, e.g. to copy an image directory. */
export async function mountLayersReadOnly(layers: string[], target: string): Promise<void> {
  await mkdir(target, { recursive: true, mode: 0o700 });
  const { option, cwd } = lowerdirOption(layers);
  await exec('mount', ['-t', 'overlay', 'overlay', '-o', `ro,${option}`, target], cwd);
}
