// `docker container prune`: stopped containers matching the filters go; "running" is checked again under
// each container's lock, so a start racing the prune keeps its container.
import type { EventBus } from '../../model/events.js';
import type { ContainerRecord } from '../../model/container.js';
import { dirSize } from './disk-usage.js';

export interface PruneSteps {
  all(): ContainerRecord[];
  get(id: string): ContainerRecord | undefined;
  isRunning(rec: ContainerRecord): boolean;
  withLock<T>(id: string, fn: () => Promise<T>): Promise<T>;
  destroy(rec: ContainerRecord): Promise<void>;
  upper(id: string): string;
  events: EventBus;
}

export async function pruneContainers(s: PruneSteps, filter: (rec: ContainerRecord) => boolean): Promise<{ ContainersDeleted: string[]; SpaceReclaimed: number }> {
  const deleted: string[] = [];
  let space = 0;
  for (const rec of s.all()) {
    if (s.isRunning(rec) || !filter(rec)) continue;
    const size = await dirSize(s.upper(rec.Id));
    // Checked again under the lock: a start may have taken it since.
    const removed = await s.withLock(rec.Id, async () => {
      if (s.get(rec.Id) !== rec || s.isRunning(rec)) return false;
      await s.destroy(rec);
      return true;
    });
    if (!removed) continue;
    space += size;
    deleted.push(rec.Id);
  }
  s.events.publish('container', 'prune', '', { reclaimed: String(space) });
  return { ContainersDeleted: deleted, SpaceReclaimed: space };
}
