// Named network namespaces (`ip netns`), one per running container: /var/run/netns/berth-<id12>.
import { existsSync } from 'node:fs';
import { runCommand as run } from '../util/run-command.js';

export const NETNS_DIR = '/var/run/netns';

export function netnsName(containerId: string): string {
  return `berth-${containerId.slice(0, 12)}`;
}

export function netnsPath(containerId: string): string {
  return `${NETNS_DIR}/${netnsName(containerId)}`;
}

/** Creates the container's namespace (netavark brings lo up); one left by a crashed run is replaced. */
export async function createNetns(containerId: string): Promise<string> {
  if (existsSync(netnsPath(containerId))) await deleteNetns(containerId);
  await run('ip', ['netns', 'add', netnsName(containerId)]);
  return netnsPath(containerId);
}

export async function deleteNetns(containerId: string): Promise<void> {
  if (!existsSync(netnsPath(containerId))) return;
  await run('ip', ['netns', 'delete', netnsName(containerId)]).catch(() => undefined);
}
