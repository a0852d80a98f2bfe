// What a run of a container mounts on the host, released together when it ends (or its start failed,
// or berthd finds it left behind): the rootfs overlay, a shareable /dev/shm, user-namespace views.
import { existsSync } from 'node:fs';
import { unmountRootfs } from '../../fs/overlay.js';
import type { ContainerPaths } from './paths.js';
import { releaseRemappedRootfs } from './userns-rootfs.js';

export async function releaseRunMounts(paths: ContainerPaths, id: string): Promise<void> {
  await unmountRootfs(paths.merged(id));
  if (existsSync(paths.idmapDir(id))) await releaseRemappedRootfs(id, paths);
  await unmountRootfs(paths.shm(id));
}
