// Another container as `--pid container:X` / `--ipc container:X` needs to know it (src/engine/sandbox).
import type { ContainerRecord } from '../../model/container.js';
import type { PeerInfo } from '../sandbox/resolve-sandbox.js';
import type { ContainerPaths } from './paths.js';
import type { ContainerStore } from './store.js';

export function peerInfo(store: ContainerStore, paths: ContainerPaths, ref: string): PeerInfo | undefined {
  let p: ContainerRecord;
  try { p = store.resolve(ref); } catch { return undefined; }
  const running = p.State.Status === 'running' || p.State.Status === 'paused';
  const ipcMode = String(p.HostConfig.IpcMode ?? 'private');
  return { id: p.Id, pid: p.State.Pid, running, ipcMode, ...(ipcMode === 'shareable' ? { shmPath: paths.shm(p.Id) } : {}) };
}

/** The running container whose namespaces (pid, IPC, network: `container:X`) this one joins, if any. */
export function namespacePeerPid(store: ContainerStore, rec: ContainerRecord): number | undefined {
  const hc = rec.HostConfig;
  for (const mode of [hc.PidMode, hc.IpcMode, hc.NetworkMode]) {
    if (typeof mode !== 'string' || !mode.startsWith('container:')) continue;
    let p: ContainerRecord;
    try { p = store.resolve(mode.slice('container:'.length)); } catch { continue; }
    if (p.State.Pid && (p.State.Status === 'running' || p.State.Status === 'paused')) return p.State.Pid;
  }
  return undefined;
}
