// A container's root filesystem on the host, for cp/export: a running container's is reached through
// /proc/<pid>/root (its own mounts, volumes included); a stopped one's overlay is mounted for the time of
// the operation (shared by concurrent operations, unmounted by the last).
// A running container is frozen while its root is in use, as Docker does since CVE-2018-15664: paths are
// resolved component by component inside the root, and a frozen container cannot swap a checked directory
// for a symlink pointing out before the file is opened.
import { mountContainerRootfs, runtimeRef } from '../containers/launch.js';
import { runtimePause, runtimeResume } from '../../runtime/oci-runtime.js';
import { unmountRootfs } from '../../fs/overlay.js';
import type { IdMapping } from '../../runtime/userns/remap.js';
import { usernsOf } from '../containers/launch.js';
import { bindIntoRoot, unbindFromRoot } from '../../fs/bind-into-root.js';
import type { ContainerService } from '../containers/container-service.js';
import type { ContainerRecord } from '../../model/container.js';

const holders = new Map<string, { count: number; ready: Promise<MountedRoot> }>();
const freezes = new Map<string, { count: number; frozen: Promise<boolean> }>();
/** Thaws in flight: the next freeze waits for them, so it never pauses a container that is still paused. */
const thaws = new Map<string, Promise<void>>();

/** Runs `fn` with the container frozen (shared by concurrent operations, thawed by the last). */
async function withFrozen<T>(svc: ContainerService, rec: ContainerRecord, fn: () => Promise<T>): Promise<T> {
  const rt = runtimeRef(svc.opts.config, svc.paths, rec.Runtime);
  let f = freezes.get(rec.Id);
  if (!f) {
    // Already paused by the user: nothing to freeze, and nothing to thaw afterwards.
    const thawed = thaws.get(rec.Id) ?? Promise.resolve();
    // Under the container's lock, as every transition: the state is the one start, stop and pause left.
    const frozen = thawed.then(() => svc.withLock(rec.Id, async () => (rec.State.Status === 'running' ? runtimePause(rt, rec.Id).then(() => true) : false)));
    f = { count: 0, frozen };
    freezes.set(rec.Id, f);
  }
  f.count++;
  try {
    await f.frozen;
    return await fn();
  } finally {
    if (--f.count === 0) {
      freezes.delete(rec.Id);
      const frozen = f.frozen;
      const thaw = (async () => {
        if (await frozen.catch(() => false)) await svc.withLock(rec.Id, () => runtimeResume(rt, rec.Id)).catch(() => undefined);
      })();
      thaws.set(rec.Id, thaw);
      await thaw;
      if (thaws.get(rec.Id) === thaw) thaws.delete(rec.Id);
    }
  }
}

interface MountedRoot { root: string; undo: () => Promise<void> }

/** Unmounts in flight: the next mount waits for them, so a new copy never stacks on a root being taken down. */
const releases = new Map<string, Promise<void>>();

/**
 * A stopped container's overlay with its volumes and binds mounted where the container sees them (as
 * Docker mounts them for cp), so a copy reaches the volume, not the layer under it.
 */
async function mountStoppedRoot(svc: ContainerService, rec: ContainerRecord): Promise<MountedRoot> {
  const root = await mountContainerRootfs(rec, svc.paths);
  const unmountRoot = () => unmountRootfs(svc.paths.merged(rec.Id)).catch(() => undefined);
  const copy = await svc.opts.mounts?.forCopy?.(rec).catch(async (err: unknown) => { await unmountRoot(); throw err; });
  if (!copy) return { root, undo: unmountRoot };
  try {
    const binds = copy.mounts.map((m) => ({ source: m.Source, destination: m.Destination, readOnly: !m.RW, recursive: !m.NonRecursive }));
    const targets = await bindIntoRoot(root, binds);
    return { root, undo: async () => { await unbindFromRoot(targets); await copy.release(); await unmountRoot(); } };
  } catch (err) {
    await copy.release();
    await unmountRoot();
    throw err;
  }
}

/**
 * `userns`: set when the root is a running container's in a user namespace, whose files show their host
 * (shifted) ids there; a stopped container's root is mounted without the shift.
 */
export async function withContainerRoot<T>(svc: ContainerService, rec: ContainerRecord, fn: (root: string, userns?: IdMapping) => Promise<T>): Promise<T> {
  if (svc.isRunning(rec) && rec.State.Pid > 0) return withFrozen(svc, rec, () => fn(`/proc/${rec.State.Pid}/root`, usernsOf(rec, svc.opts.config)));
  let h = holders.get(rec.Id);
  if (!h) {
    const previous = releases.get(rec.Id) ?? Promise.resolve();
    h = { count: 0, ready: previous.then(() => mountStoppedRoot(svc, rec)) };
    holders.set(rec.Id, h);
  }
  h.count++;
  try {
    return await fn((await h.ready).root);
  } finally {
    if (--h.count === 0) {
      holders.delete(rec.Id);
      const ready = h.ready;
      const release = ready.then((m) => m.undo(), () => undefined);
      releases.set(rec.Id, release);
      await release;
      if (releases.get(rec.Id) === release) releases.delete(rec.Id);
    }
  }
}
