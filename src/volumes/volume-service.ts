// The volume service: Docker's local volume driver (create, inspect, list, remove, prune, disk usage),
// reference checks against containers, and mounting of volumes created with driver options while
// containers use them. Publishes Docker's volume events (create, destroy, prune; mount/unmount come
// from container start/stop, see container-mounts.ts).
import { randomBytes } from 'node:crypto';
import { conflict, internal, invalidArgument, isBerthError, notFound } from '../errors.js';
import { KeyedLock } from '../util/keyed-lock.js';
import type { EventBus } from '../model/events.js';
import { dirSize } from '../fs/dir-size.js';
import { isMounted } from '../fs/overlay.js';
import { mountLocal, needsMount, unmountLocal, validateLocalOptions } from './local-mount.js';
import { listFilter, pruneFilter, type Filters } from './volume-filters.js';
import { VolumeStore, rfc3339 } from './volume-store.js';
import type { VolumeCreateRequest, VolumeRecord, VolumeView } from './types.js';

export interface VolumeServiceOptions {
  /** <dataRoot>/volumes */
  root: string;
  events: EventBus;
  /** IDs of the containers (running or not) that reference a volume. */
  usersOf(name: string): string[];
}

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export class VolumeService {
  readonly store: VolumeStore;
  /** Holders of a mounted options-volume, by volume name. */
  private readonly holders = new Map<string, Set<string>>();
  private readonly locks = new KeyedLock();

  constructor(private readonly opts: VolumeServiceOptions) {
    this.store = new VolumeStore(opts.root);
  }

  async init(): Promise<void> {
    await this.store.init();
  }

  private withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(name, fn);
  }

  private publish(action: string, name: string, extra: Record<string, string> = {}): void {
    this.opts.events.publish('volume', action, name, { driver: 'local', ...extra });
  }

  view(v: VolumeRecord): VolumeView {
    return { CreatedAt: v.CreatedAt, Driver: v.Driver, Labels: v.Labels, Mountpoint: this.store.dataDir(v.Name), Name: v.Name, Options: v.Options, Scope: 'local' };
  }

  get(name: string): VolumeRecord {
    const v = this.store.get(name);
    if (!v) throw notFound(`get ${name}: no such volume`);
    return v;
  }

  /** Docker's create: an existing volume of the same name is returned as it is. */
  async create(req: VolumeCreateRequest): Promise<VolumeView> {
    const name = req.Name || randomBytes(32).toString('hex');
    const driver = req.Driver || 'local';
    if (driver !== 'local') throw notFound(`error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    if (name.length === 1) throw invalidArgument(`create ${name}: volume name is too short, names should be at least two alphanumeric characters`);
    if (!NAME_RE.test(name)) {
      throw invalidArgument(`create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
    }
    try { validateLocalOptions(req.DriverOpts); } catch (err) {
      throw isBerthError(err) ? invalidArgument(`create ${name}: ${err.message}`) : err;
    }
    return this.withLock(name, async () => {
      const existing = this.store.get(name);
      if (existing) return this.view(existing);
      const rec: VolumeRecord = {
        Name: name, Driver: driver, Labels: nonEmpty(req.Labels), Options: nonEmpty(req.DriverOpts),
        CreatedAt: rfc3339(new Date()),
      };
      await this.store.add(rec);
      this.publish('create', name);
      return this.view(rec);
    });
  }

  inspect(name: string): VolumeView { return this.view(this.get(name)); }

  list(filters: Filters): VolumeView[] {
    const match = listFilter(filters, (n) => this.opts.usersOf(n).length > 0);
    return this.store.all().filter(match).sort((a, b) => a.Name.localeCompare(b.Name)).map((v) => this.view(v));
  }

  /** Refuses with Docker's 409 while a container references the volume; `force` ignores a missing one. */
  async remove(name: string, opts: { force?: boolean } = {}): Promise<void> {
    if (!this.store.get(name)) {
      if (opts.force) return;
      throw notFound(`get ${name}: no such volume`);
    }
    await this.withLock(name, async () => {
      const users = this.opts.usersOf(name);
      if (users.length) throw conflict(`remove ${name}: volume is in use - [${users.join(', ')}]`);
      await this.destroy(name);
    });
  }

  private async destroy(name: string): Promise<void> {
    const dataDir = this.store.dataDir(name);
    await unmountLocal(dataDir);
    // Never recurse into something still mounted there (an options-volume's device).
    if (await isMounted(dataDir)) throw internal(`remove ${name}: volume data is still mounted`);
    this.holders.delete(name);
    await this.store.remove(name);
    this.publish('destroy', name);
  }

  async prune(filters: Filters): Promise<{ VolumesDeleted: string[]; SpaceReclaimed: number }> {
    const match = pruneFilter(filters);
    const deleted: string[] = [];
    let space = 0;
    for (const v of this.store.all()) {
      if (!match(v) || this.opts.usersOf(v.Name).length) continue;
      const size = needsMount(v.Options) ? 0 : await dirSize(this.store.dataDir(v.Name));
      try {
        await this.withLock(v.Name, async () => {
          if (this.opts.usersOf(v.Name).length) throw conflict('in use');
          await this.destroy(v.Name);
        });
        deleted.push(v.Name);
        space += size;
      } catch { /* became used meanwhile, or could not be removed: kept */ }
    }
    this.opts.events.publish('volume', 'prune', '', { reclaimed: String(space) });
    return { VolumesDeleted: deleted, SpaceReclaimed: space };
  }

  /** Every volume with its size and reference count, for /system/df. */
  async diskUsage(): Promise<VolumeView[]> {
    const out: VolumeView[] = [];
    for (const v of this.store.all()) {
      const size = await dirSize(this.store.dataDir(v.Name));
      out.push({ ...this.view(v), UsageData: { Size: size, RefCount: this.opts.usersOf(v.Name).length } });
    }
    return out;
  }

  count(): number { return this.store.all().length; }

  /** The data directory to mount into a container; options-volumes are mounted on first use. */
  async acquire(name: string, holder: string): Promise<string> {
    const v = this.get(name);
    const dir = this.store.dataDir(name);
    if (!needsMount(v.Options)) return dir;
    return this.withLock(name, async () => {
      await mountLocal(v.Options!, dir);
      let set = this.holders.get(name);
      if (!set) this.holders.set(name, (set = new Set()));
      set.add(holder);
      return dir;
    });
  }

  /** Notes a holder that was mounted before a berthd restart. */
  adopt(name: string, holder: string): void {
    const v = this.store.get(name);
    if (!v || !needsMount(v.Options)) return;
    let set = this.holders.get(name);
    if (!set) this.holders.set(name, (set = new Set()));
    set.add(holder);
  }

  /** Drops a holder; the last one unmounts an options-volume. */
  async release(name: string, holder: string): Promise<void> {
    const v = this.store.get(name);
    if (!v || !needsMount(v.Options)) return;
    await this.withLock(name, async () => {
      const set = this.holders.get(name);
      set?.delete(holder);
      if (!set || set.size === 0) {
        this.holders.delete(name);
        await unmountLocal(this.store.dataDir(name));
      }
    });
  }
}

/** Empty maps are shown as null, as Docker does for volumes created without labels or options. */
function nonEmpty(m: Record<string, string> | null | undefined): Record<string, string> | null {
  return m && Object.keys(m).length ? { ...m } : null;
}
