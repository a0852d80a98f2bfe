// `compose down`: containers stopped and removed in reverse dependency order (one-off `run` containers
// too), then the project's networks, and with -v its volumes, with --rmi its images.
import type { Project } from '../model/types.js';
import { isNotFound, type ComposeApi } from './api.js';
import { nameOf, projectContainers, serviceOf } from './containers.js';
import { stopAndRemove } from './converge.js';
import { inDependencyOrder } from './graph.js';
import { defaultImageName } from './labels.js';
import type { Progress } from './progress.js';
import { removeNetworks, removeVolumes } from './resources.js';
import { orphans } from './up.js';

export interface DownOptions {
  volumes?: boolean; rmi?: 'all' | 'local'; removeOrphans?: boolean; timeout?: number;
  /** No compose file: everything carrying the project's label goes (docker compose -p NAME down). */
  everything?: boolean;
}

export async function down(api: ComposeApi, project: Project, progress: Progress, o: DownOptions): Promise<void> {
  const containers = await projectContainers(api, project.name, { oneoff: 'all' });
  const known = new Set([...Object.keys(project.services), ...Object.keys(project.disabledServices)]);
  const byService = new Map<string, typeof containers>();
  for (const c of containers) {
    const s = serviceOf(c);
    if (!known.has(s)) continue;
    byService.set(s, [...(byService.get(s) ?? []), c]);
  }
  const names = [...byService.keys()].filter((s) => project.services[s] ?? project.disabledServices[s]);
  const all = { ...project, services: { ...project.disabledServices, ...project.services } };
  await inDependencyOrder(all, names, async (s) => {
    const svc = all.services[s];
    await Promise.all((byService.get(s) ?? []).map((c) => stopAndRemove(api, c, progress, o.timeout ?? svc?.stop_grace_period, true)));
  }, true);
  const leftover = o.everything ? await projectContainers(api, project.name, { oneoff: 'all' }) : await orphans(api, project);
  if (o.everything) o = { ...o, removeOrphans: true };
  if (leftover.length) {
    if (o.removeOrphans) await Promise.all(leftover.map((c) => stopAndRemove(api, c, progress, o.timeout, true)));
    else progress.warn(`Found orphan containers (${leftover.map(nameOf).join(', ')}) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`);
  }
  if (!leftover.length || o.removeOrphans) await removeNetworks(api, project, progress);
  if (o.volumes) await removeVolumes(api, project, progress);
  if (o.rmi) {
    for (const svc of Object.values(project.services)) {
      // `local` removes only images compose built (no `image:` given), `all` every image the services use.
      if (o.rmi === 'local' && svc.image) continue;
      const ref = defaultImageName(project.name, svc);
      progress.event('Image', ref, 'Removing');
      try { await api.imageRemove(ref); progress.event('Image', ref, 'Removed'); } catch (err) { if (!isNotFound(err)) progress.warn(`image ${ref}: ${(err as Error).message}`); }
    }
  }
}
