// Read-only questions about all containers: which images they use (rmi conflicts, image GC), counts for
// /info, and sizes for `ps -s` and /system/df.
import type { ContainerRecord } from '../../model/container.js';
import { containerSizes } from './disk-usage.js';
import type { ContainerPaths } from './paths.js';
import { summaryView } from './views.js';

const running = (r: ContainerRecord) => r.State.Status === 'running' || r.State.Status === 'paused' || r.State.Status === 'restarting';

/** Image IDs used by any container. */
export function imagesInUse(all: ContainerRecord[]): Set<string> {
  return new Set(all.map((r) => r.Image));
}

/** Containers using an image, for Docker's rmi conflict messages (which name one of them). */
export function imageUsers(all: ContainerRecord[], imageId: string): Array<{ id: string; running: boolean }> {
  return all.filter((r) => r.Image === imageId).map((r) => ({ id: r.Id, running: running(r) }));
}

/** Counts for /info. */
export function counts(all: ContainerRecord[]): { total: number; running: number; paused: number; stopped: number } {
  const run = all.filter((r) => r.State.Status === 'running' || r.State.Status === 'restarting').length;
  const paused = all.filter((r) => r.State.Status === 'paused').length;
  return { total: all.length, running: run, paused, stopped: all.length - run - paused };
}

export async function sizes(paths: ContainerPaths, rec: ContainerRecord): Promise<{ SizeRw: number; SizeRootFs: number }> {
  return containerSizes(paths.upper(rec.Id), rec.LayerDirs);
}

/** Every container with SizeRw/SizeRootFs, for /system/df. */
export async function diskUsage(paths: ContainerPaths, all: ContainerRecord[]): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for (const rec of all) out.push(summaryView(rec, String(rec.Config.Image ?? rec.Image), await sizes(paths, rec)));
  return out;
}
