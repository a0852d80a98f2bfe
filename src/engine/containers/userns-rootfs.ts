// The root filesystem of a container in a user namespace (daemon option userns-remap): idmapped views
// of its image layers, of its own directory (upper dir, work dir, /etc files) and of its volumes, under
// <exec-root>/idmap/<id>/, and the overlay over them mounted as the remapped root at .../root. Nothing on
// disk is chowned: layers stay shared with every other container and keep their real ids.
import { mkdir, readFile, rm, rmdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { lowerdirOption } from '../../fs/overlay.js';
import { runCommand } from '../../util/run-command.js';
import { makeIdmappedMounts, pinNetNamespaceIn, pinUserNamespace } from '../../runtime/userns/idmapped-mounts.js';
import { remappedRoot, type IdMapping } from '../../runtime/userns/remap.js';
import type { ContainerPaths } from './paths.js';

export interface RemappedRootfs {
  /** The overlay, as the container's root. */
  root: string;
  /** Where the container's own directory (hosts, hostname, resolv.conf) appears with its ids. */
  containerDir: string;
  /** Volume directory on the host -> its idmapped view. */
  volumes: Map<string, string>;
}

/**
 * Before the network: the container's user namespace pinned (a new one with the mappings, or the peer's
 * whose pid, IPC or network namespace it joins, as dockerd shares them), and the maker of a network
 * namespace that belongs to it (so the container can mount sysfs, set its sysctls, and exec can join).
 */
export async function pinContainerUserns(paths: ContainerPaths, id: string, m: IdMapping | undefined, peerPid: number | undefined): Promise<((netnsPath: string) => Promise<void>) | undefined> {
  if (!m) return undefined;
  await pinUserNamespace(paths.usernsFile(id), m.uids, m.gids, peerPid);
  return (netnsPath) => pinNetNamespaceIn(paths.usernsFile(id), netnsPath);
}

export async function mountRemappedRootfs(id: string, layerDirs: string[], volumeDirs: string[], paths: ContainerPaths, m: IdMapping): Promise<RemappedRootfs> {
  const base = paths.idmapDir(id);
  const binds = layerDirs.map((src, i) => ({ src, dst: join(base, `l${i}`) }));
  const containerDir = join(base, 'c');
  binds.push({ src: paths.dir(id), dst: containerDir });
  const volumes = new Map<string, string>();
  [...new Set(volumeDirs)].forEach((src, i) => { const dst = join(base, `v${i}`); volumes.set(src, dst); binds.push({ src, dst }); });
  const root = join(base, 'root');
  const { option, cwd } = lowerdirOption(binds.slice(0, layerDirs.length).map((b) => b.dst), `,upperdir=${join(containerDir, 'diff')},workdir=${join(containerDir, 'work')}`);
  const owner = remappedRoot(m);
  try {
    await mkdir(root, { recursive: true, mode: 0o755 });
    await makeIdmappedMounts({ usernsFile: paths.usernsFile(id), binds, overlay: { target: root, options: option, ...(cwd ? { cwd } : {}), ...owner } });
  } catch (err) {
    await releaseRemappedRootfs(id, paths).catch(() => undefined);
    throw err;
  }
  return { root, containerDir, volumes };
}

/** Unmounts everything under the container's idmap dir (the overlay first) and removes the empty dirs. */
export async function releaseRemappedRootfs(id: string, paths: ContainerPaths): Promise<void> {
  const base = paths.idmapDir(id);
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const targets = info.split('\n').map((l) => l.split(' ')[4]).filter((t): t is string => !!t && t.startsWith(base + '/'));
  // Deepest first; lazily, so a process still holding one (a `cp` in flight) cannot make this fail.
  targets.sort((a, b) => b.length - a.length);
  if (targets.length) await runCommand('umount', ['-l', ...targets], { timeoutMs: 30_000 });
  await rm(paths.usernsFile(id), { force: true });
  // Never a recursive delete here: a view still mounted would delete the layer behind it.
  const names = await readdir(base).catch(() => [] as string[]);
  for (const n of names) await rmdir(join(base, n)).catch(() => undefined);
  await rmdir(base).catch(() => undefined);
}
