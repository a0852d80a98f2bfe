// What Endpoints keeps per container and network under the exec root (the netavark options it set up
// with, so a restarted berthd tears down exactly that), and the small rules read off those records.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerRecord } from '../model/container.js';
import type { NetavarkOptions } from '../netavark/netavark.js';
import { NETNS_DIR } from '../netavark/netns.js';
import type { PoolEntry } from '../netavark/netns-pool.js';

export interface SavedEndpoint { nsPath: string; networkId: string; key: string; options: NetavarkOptions }

/** Whether a container can take a pooled namespace: the default bridge alone, nothing fixed or published. */
export function poolable(rec: ContainerRecord): boolean {
  const ns = rec.NetworkSettings!;
  const keys = Object.keys(ns.Networks);
  if (keys.length !== 1 || keys[0] !== 'bridge' || ns.StaticMacs?.bridge) return false;
  const hc = rec.HostConfig;
  return Object.keys(hc.PortBindings ?? {}).length === 0 && !hc.PublishAllPorts;
}

/** Capabilities that let a process change its network namespace (addresses, routes, firewall, sysctls). */
const NET_CHANGING_CAPS = new Set(['ALL', 'NET_ADMIN', 'SYS_ADMIN']);

/**
 * Whether the namespace a container leaves can serve another container (go back to the pool): nothing
 * in the container could change it — no privilege, NET_ADMIN or SYS_ADMIN, no `net.*` sysctl, no
 * privileged exec — and nothing can still be in it: its processes shared its own PID namespace (they
 * all die with its init) and no running container joined its network (`--network container:`).
 */
export function recyclable(rec: ContainerRecord, running: ContainerRecord[]): boolean {
  const hc = rec.HostConfig;
  if (!rec.NetworkSettings || rec.NetworkSettings.SandboxTainted || !poolable(rec) || hc.Privileged) return false;
  if ((hc.CapAdd ?? []).some((c) => NET_CHANGING_CAPS.has(c.toUpperCase().replace(/^CAP_/, '')))) return false;
  if (hc.PidMode) return false; // host or another container's: processes outlive the init
  if (Object.keys((hc.Sysctls as Record<string, string> | null | undefined) ?? {}).some((k) => k.startsWith('net.'))) return false;
  const mine = (ref: string) => ref.length > 0 && (rec.Id.startsWith(ref) || rec.Name === `/${ref}`);
  return !running.some((r) => {
    const mode = r.HostConfig.NetworkMode ?? '';
    return mode.startsWith('container:') && mine(mode.slice('container:'.length));
  });
}

/** Whether any of a container's saved endpoints published ports (only those leave a DNAT chain to sweep). */
export async function anyPublished(dir: string, files: string[]): Promise<boolean> {
  for (const f of files) {
    try {
      if ((JSON.parse(await readFile(join(dir, f), 'utf8')) as SavedEndpoint).options.port_mappings?.length) return true;
    } catch { return true; } // unreadable: sweep to be safe
  }
  return false;
}

/** A pooled namespace's endpoint file still as the pool wrote it (what the pool's giveBack needs). */
export function asPoolEntry(saved: SavedEndpoint): PoolEntry | undefined {
  const e = saved as Partial<PoolEntry>;
  const pooled = saved.nsPath.startsWith(`${NETNS_DIR}/berth-pool-`) && saved.key === 'bridge' && !saved.options.port_mappings?.length;
  return pooled && typeof e.id === 'string' && typeof e.ip === 'string' && typeof e.mac === 'string' ? (saved as PoolEntry) : undefined;
}
