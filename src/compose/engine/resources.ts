// Project networks and volumes: created with compose's labels when missing, external ones required to
// exist, and removed by `down` only when they carry this project's label.
import { invalidArgument } from '../errors.js';
import type { NetworkConfig, Project, VolumeConfig } from '../model/types.js';
import { isNotFound, type ComposeApi } from './api.js';
import { COMPOSE_VERSION, LABEL } from './labels.js';
import type { Progress } from './progress.js';

export function usedNetworks(project: Project, services: string[]): string[] {
  return [...new Set(services.flatMap((s) => Object.keys(project.services[s].networks)))];
}

export function usedVolumes(project: Project, services: string[]): string[] {
  return [...new Set(services.flatMap((s) => project.services[s].volumes.filter((v) => v.type === 'volume' && v.source).map((v) => v.source as string)))];
}

async function ensureNetwork(api: ComposeApi, project: Project, key: string, n: NetworkConfig, progress: Progress): Promise<void> {
  const existing = await api.networkInspect(n.name);
  if (n.external) {
    if (!existing) throw invalidArgument(`network ${n.name} declared as external, but could not be found`);
    return;
  }
  if (existing) {
    const owner = existing.Labels?.[LABEL.project];
    if (owner !== undefined && owner !== project.name) progress.warn(`a network with name ${n.name} exists but was not created for project "${project.name}".`);
    return;
  }
  progress.event('Network', n.name, 'Creating');
  const ipam = n.ipam ? { Driver: n.ipam.driver ?? 'default', Config: n.ipam.config.map((c) => ({ Subnet: c.subnet, Gateway: c.gateway, IPRange: c.ip_range })) } : undefined;
  await api.networkCreate({
    Name: n.name, Driver: n.driver ?? 'bridge', Options: n.driver_opts, Internal: n.internal, Attachable: n.attachable, EnableIPv6: n.enable_ipv6,
    ...(ipam ? { IPAM: ipam } : {}),
    Labels: { ...n.labels, [LABEL.project]: project.name, [LABEL.network]: key, [LABEL.version]: COMPOSE_VERSION },
  });
  progress.event('Network', n.name, 'Created');
}

async function ensureVolume(api: ComposeApi, project: Project, key: string, v: VolumeConfig, progress: Progress): Promise<void> {
  const existing = await api.volumeInspect(v.name);
  if (v.external) {
    if (!existing) throw invalidArgument(`external volume "${v.name}" not found`);
    return;
  }
  if (existing) return;
  progress.event('Volume', v.name, 'Creating');
  await api.volumeCreate({
    Name: v.name, Driver: v.driver ?? 'local', DriverOpts: v.driver_opts,
    Labels: { ...v.labels, [LABEL.project]: project.name, [LABEL.volume]: key, [LABEL.version]: COMPOSE_VERSION },
  });
  progress.event('Volume', v.name, 'Created');
}

export async function ensureResources(api: ComposeApi, project: Project, services: string[], progress: Progress): Promise<void> {
  for (const key of usedNetworks(project, services)) await ensureNetwork(api, project, key, project.networks[key], progress);
  await Promise.all(usedVolumes(project, services).map((key) => ensureVolume(api, project, key, project.volumes[key], progress)));
}

/** Every network this project created (by label), so `down` also removes ones the file no longer lists. */
export async function removeNetworks(api: ComposeApi, project: Project, progress: Progress): Promise<void> {
  const names = new Set<string>();
  for (const n of Object.values(project.networks)) if (!n.external) names.add(n.name);
  for (const n of await api.networks({ label: [`${LABEL.project}=${project.name}`] })) names.add(n.Name);
  for (const name of names) {
    const info = await api.networkInspect(name);
    if (!info || info.Labels?.[LABEL.project] !== project.name) continue;
    progress.event('Network', name, 'Removing');
    try { await api.networkRemove(name); } catch (err) { if (!isNotFound(err)) throw err; }
    progress.event('Network', name, 'Removed');
  }
}

/** The project's volumes: those the file declares and, by label, those it made before. */
export async function removeVolumes(api: ComposeApi, project: Project, progress: Progress): Promise<void> {
  const names = new Set<string>();
  for (const v of Object.values(project.volumes)) if (!v.external) names.add(v.name);
  for (const v of (await api.volumes({ label: [`${LABEL.project}=${project.name}`] })).Volumes ?? []) names.add(v.Name);
  for (const name of names) {
    const info = await api.volumeInspect(name);
    if (!info || info.Labels?.[LABEL.project] !== project.name) continue;
    progress.event('Volume', name, 'Removing');
    try { await api.volumeRemove(name); } catch (err) { if (!isNotFound(err)) throw err; }
    progress.event('Volume', name, 'Removed');
  }
}
