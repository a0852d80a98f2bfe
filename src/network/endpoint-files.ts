// What Endpoints keeps per container and network under the exec root (the netavark options it set up
// with, so a restarted berthd tears down exactly that), and the small rules read off those records.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerRecord } from '../model/container.js';
import type { NetavarkOptions } from '../netavark/netavark.js';

export interface SavedEndpoint { nsPath: string; networkId: string; key: string; options: NetavarkOptions }

/** Whether a container can take a pooled namespace: the default bridge alone, nothing fixed or published. */
export function poolable(rec: ContainerRecord): boolean {
  const ns = rec.NetworkSettings!;
  const keys = Object.keys(ns.Networks);
  if (keys.length !== 1 || keys[0] !== 'bridge' || ns.StaticMacs?.bridge) return false;
  const hc = rec.HostConfig;
  return Object.keys(hc.PortBindings ?? {}).length === 0 && !hc.PublishAllPorts;
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
