// Another container as `--pid container:X` / `--ipc container:X` needs to know it (src/engine/sandbox).
import type { ContainerRecord } from '../../model/container.js';
import type { PeerInfo } from '../sandbox/resolve-sandbox.js';
import type { ContainerStore } from './store.js';

export function peerInfo(store: ContainerStore, ref: string): PeerInfo | undefined {
  let p: ContainerRecord;
  try { p = store.resolve(ref); } catch { return undefined; }
  return { id: p.Id, pid: p.State.Pid, running: p.State.Status === 'running' || p.State.Status === 'paused', ipcMode: String(p.HostConfig.IpcMode ?? 'private') };
}
