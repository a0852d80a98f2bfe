// Named network namespaces (`ip netns`): one per running container (/var/run/netns/berth-<id12>), or one
// made ahead for the pool (/var/run/netns/berth-pool-<id12>, see netns-pool.ts).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { runCommand as run } from '../util/run-command.js';

export const NETNS_DIR = '/var/run/netns';

export function netnsName(containerId: string): string {
  return `berth-${containerId.slice(0, 12)}`;
}

export function netnsPath(containerId: string): string {
  return `${NETNS_DIR}/${netnsName(containerId)}`;
}

/** Creates a named namespace (netavark brings lo up); one left by a crashed run is replaced. */
export async function createNamedNetns(name: string): Promise<string> {
  const path = `${NETNS_DIR}/${name}`;
  if (existsSync(path)) await deleteNetnsAt(path);
  await run('ip', ['netns', 'add', name]);
  return path;
}

/** Creates the container's namespace. */
export async function createNetns(containerId: string): Promise<string> {
  return createNamedNetns(netnsName(containerId));
}

/** Deletes a named namespace by its path under /var/run/netns (anything else is not ours to delete). */
export async function deleteNetnsAt(path: string): Promise<void> {
  if (!path.startsWith(`${NETNS_DIR}/berth-`) || !existsSync(path)) return;
  await run('ip', ['netns', 'delete', basename(path)]).catch(() => undefined);
}

export async function deleteNetns(containerId: string): Promise<void> {
  await deleteNetnsAt(netnsPath(containerId));
}

/**
 * A bridge that netavark 1.4 made has no MAC of its own: the kernel gives it the lowest of its ports'
 * and changes it whenever such a port comes or goes — and every container's ARP entry for the gateway
 * then points at an address nobody answers for (seen here: containers lost their gateway as pooled
 * namespaces were torn down). Setting the bridge's current address explicitly (as Docker does for its
 * bridges) stops that. Idempotent, so daemons sharing a bridge may all do it.
 */
export async function pinBridgeMac(bridge: string): Promise<void> {
  if (!/^[\w.-]{1,15}$/.test(bridge)) return;
  let assign: string;
  let mac: string;
  try {
    [assign, mac] = await Promise.all([readFile(`/sys/class/net/${bridge}/addr_assign_type`, 'utf8'), readFile(`/sys/class/net/${bridge}/address`, 'utf8')]);
  } catch { return; } // no such bridge (yet)
  if (assign.trim() === '3') return; // NET_ADDR_SET: already fixed
  await run('ip', ['link', 'set', 'dev', bridge, 'address', mac.trim()]).catch(() => undefined);
}
