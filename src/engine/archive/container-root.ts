// A container's root filesystem on the host, for cp/export: a running container's is reached through
// /proc/<pid>/root (its own mounts, volumes included); a stopped one's overlay is mounted for the time of
// the operation (shared by concurrent operations, unmounted by the last).
import { mountContainerRootfs } from '../containers/launch.js';
import { unmountRootfs } from '../../storage/rootfs.js';
import type { ContainerService } from '../containers/container-service.js';
import type { ContainerRecord } from '../containers/types.js';

const holders = new Map<string, { count: number; ready: Promise<string> }>();

export async function withContainerRoot<T>(svc: ContainerService, rec: ContainerRecord, fn: (root: string) => Promise<T>): Promise<T> {
  if (svc.isRunning(rec) && rec.State.Pid > 0) return fn(`/proc/${rec.State.Pid}/root`);
  let h = holders.get(rec.Id);
  if (!h) {
    h = { count: 0, ready: mountContainerRootfs(rec, svc.paths) };
    holders.set(rec.Id, h);
  }
  h.count++;
  try {
    return await fn(await h.ready);
  } finally {
    if (--h.count === 0) {
      holders.delete(rec.Id);
      await unmountRootfs(svc.paths.merged(rec.Id)).catch(() => undefined);
    }
  }
}
