// The container side of volumes: at create, the mounts are planned (src/engine/containers/mounts.ts),
// named and anonymous volumes created, and fresh volumes filled from the image (copy-up); at start,
// bind sources are created for `-v`, volumes with driver options mounted, and `mount` events sent;
// at exit, `unmount`. Anonymous volumes go with `rm -v` and with --rm containers, named ones stay.
import { existsSync } from 'node:fs';
import { lstat, mkdir } from 'node:fs/promises';
import { scopedPath } from '../../fs/resolve-in-root.js';
import { errorMessage, invalidArgument, isBerthError, notFound } from '../../errors.js';
import { log } from '../../util/log.js';
import type { EventBus } from '../../model/events.js';
import type { ContainerConfig, ContainerRecord, HostConfig } from '../../model/container.js';
import { inheritMount, ociMounts, parseVolumesFrom, planMounts, type ApiMount, type ContainerMountHooks, type MountPointRecord, type StartedMounts } from './mounts.js';
import { copyUp } from '../../volumes/copy-up.js';
import { needsMount } from '../../volumes/local-mount.js';
import { ANONYMOUS_LABEL } from '../../volumes/types.js';
import type { VolumeService } from '../../volumes/volume-service.js';

/** What this needs from the container service. */
export interface ContainerLookup {
  resolve(ref: string): ContainerRecord;
  isRunning(rec: ContainerRecord): boolean;
  store: { all(): ContainerRecord[] };
}

export interface ContainerMountsOptions {
  volumes: VolumeService;
  events: EventBus;
  containers: () => ContainerLookup;
}

/** The subdirectory of a volume to mount, resolved inside the volume (its symlinks cannot lead out); it must exist. */
async function volumeSubpath(dir: string, subpath: string): Promise<string> {
  const path = await scopedPath(dir, subpath);
  if (!(await lstat(path).catch(() => null))) throw invalidArgument(`cannot access path ${path}: lstat ${path}: no such file or directory`);
  return path;
}

export class ContainerMounts implements ContainerMountHooks {
  /** Volumes each running container holds (for `unmount` events and options-volume unmounting). */
  private readonly held = new Map<string, string[]>();
  /** Anonymous volumes of --rm containers, removed with them. */
  private readonly autoRemoved = new Map<string, string[]>();

  // The container service calls stopped() and destroyed() itself (explicit hooks, not event listeners).
  constructor(private readonly opts: ContainerMountsOptions) {}

  /** After the containers are recovered: re-learn what running containers hold; unmount the rest. */
  async init(): Promise<void> {
    const { volumes } = this.opts;
    for (const rec of this.opts.containers().store.all()) {
      const names = volumeNames(rec.MountPoints);
      if (rec.HostConfig.AutoRemove) this.autoRemoved.set(rec.Id, anonymousNames(rec.MountPoints));
      if (!this.opts.containers().isRunning(rec)) continue;
      this.held.set(rec.Id, names);
      for (const n of names) volumes.adopt(n, rec.Id);
    }
    for (const v of volumes.store.all()) {
      if (needsMount(v.Options) && !this.opts.containers().store.all().some((r) => this.held.get(r.Id)?.includes(v.Name))) {
        await volumes.release(v.Name, '').catch((err) => log.warn('volume unmount failed', { name: v.Name, err: errorMessage(err) }));
      }
    }
  }

  /** IDs of the containers (running or not) whose mounts reference a volume. */
  usersOf(name: string): string[] {
    return this.opts.containers().store.all().filter((r) => r.MountPoints?.some((m) => m.Type === 'volume' && m.Name === name)).map((r) => r.Id);
  }

  async create(input: { id: string; config: ContainerConfig; hostConfig: HostConfig; layerDirs: string[] }): Promise<MountPointRecord[]> {
    const hc = input.hostConfig;
    const inherited: MountPointRecord[] = [];
    for (const spec of (hc.VolumesFrom as string[] | null | undefined) ?? []) {
      const { container, mode } = parseVolumesFrom(spec);
      // Docker answers 400 here, not 404: a 404 on create makes the docker CLI pull the image.
      let from: ContainerRecord;
      try { from = this.opts.containers().resolve(container); } catch (err) {
        if (isBerthError(err, 'not-found')) throw invalidArgument(err.message);
        throw err;
      }
      for (const m of from.MountPoints ?? []) if (m.Type !== 'tmpfs') inherited.push(inheritMount(m, mode));
    }
    const planned = planMounts({
      binds: hc.Binds, mounts: hc.Mounts as ApiMount[] | null | undefined, tmpfs: hc.Tmpfs as Record<string, string> | null | undefined,
      volumes: input.config.Volumes, inherited,
    }, existsSync);
    const created: string[] = [];
    try {
      await this.resolveVolumes(planned, created, hc.VolumeDriver as string | undefined);
      await this.copyImageContent(input.id, planned, input.layerDirs);
    } catch (err) {
      for (const n of created) await this.opts.volumes.remove(n, { force: true }).catch(() => undefined);
      // A 404 from create makes the docker CLI pull the image and retry: an unknown volume driver is a bad request here.
      if (isBerthError(err, 'not-found')) throw invalidArgument(err.message);
      throw err;
    }
    if (hc.AutoRemove) this.autoRemoved.set(input.id, anonymousNames(planned));
    return planned;
  }

  /** Names anonymous volumes, creates missing ones (Docker creates a named volume on first use). */
  private async resolveVolumes(planned: MountPointRecord[], created: string[], defaultDriver: string | undefined): Promise<void> {
    const { volumes } = this.opts;
    for (const m of planned) {
      if (m.Type !== 'volume' || m.Source) continue; // inherited mounts are resolved already
      const vc = { driver: defaultDriver || undefined, ...m.VolumeCreate };
      delete m.VolumeCreate;
      if (!m.Name) {
        const v = await volumes.create({ Driver: vc.driver, Labels: { ...(vc.labels ?? {}), [ANONYMOUS_LABEL]: '' }, DriverOpts: vc.options });
        m.Name = v.Name;
        created.push(v.Name);
      } else if (!volumes.store.get(m.Name)) {
        await volumes.create({ Name: m.Name, Driver: vc.driver, Labels: vc.labels, DriverOpts: vc.options });
        created.push(m.Name);
      }
      m.Source = volumes.store.dataDir(m.Name);
    }
  }

  private async copyImageContent(id: string, planned: MountPointRecord[], layerDirs: string[]): Promise<void> {
    const { volumes } = this.opts;
    const wanted = planned.filter((m) => m.Type === 'volume' && m.CopyData && m.Name);
    if (!wanted.length) return;
    const holder = `copyup-${id}`;
    const jobs = [];
    try {
      for (const m of wanted) jobs.push({ destination: m.Destination, dir: await volumes.acquire(m.Name!, holder) });
      await copyUp(layerDirs, jobs, volumes.store.scratchDir('copyup'));
    } finally {
      for (const m of wanted) await volumes.release(m.Name!, holder).catch(() => undefined);
    }
  }

  /**
   * At start: volumes acquired (mounted when they have options) and `mount` events sent. The record is
   * not changed here: the mount points with this run's sources come back for the container service to
   * put in the record it saves.
   */
  async start(rec: ContainerRecord): Promise<StartedMounts | undefined> {
    if (!rec.MountPoints) return undefined;
    const { volumes, events } = this.opts;
    const held: string[] = [];
    this.held.set(rec.Id, held);
    const mountPoints: MountPointRecord[] = [];
    for (const planned of rec.MountPoints) {
      const m = { ...planned };
      mountPoints.push(m);
      if (m.Type === 'bind' && m.CreateSource && !existsSync(m.Source)) await mkdir(m.Source, { recursive: true, mode: 0o755 });
      if (m.Type !== 'volume' || !m.Name) continue;
      if (!volumes.store.get(m.Name)) throw notFound(`get ${m.Name}: no such volume`);
      m.Source = await volumes.acquire(m.Name, rec.Id);
      held.push(m.Name);
      if (m.Subpath) m.Source = await volumeSubpath(m.Source, m.Subpath);
      events.publish('volume', 'mount', m.Name, {
        container: rec.Id, destination: m.Destination, driver: m.Driver ?? 'local', propagation: m.Propagation, 'read/write': String(m.RW),
      });
    }
    return { mountPoints, oci: ociMounts(mountPoints) };
  }

  async forCopy(rec: ContainerRecord): Promise<{ mounts: MountPointRecord[]; release: () => Promise<void> }> {
    const { volumes } = this.opts;
    const holder = `${rec.Id}/cp/${Math.random().toString(36).slice(2)}`;
    const held: string[] = [];
    const release = async () => { for (const n of held) await volumes.release(n, holder).catch(() => undefined); };
    const out: MountPointRecord[] = [];
    try {
      for (const m of rec.MountPoints ?? []) {
        if (m.Type === 'bind' && existsSync(m.Source)) out.push(m);
        if (m.Type !== 'volume' || !m.Name || !volumes.store.get(m.Name)) continue;
        const dir = await volumes.acquire(m.Name, holder);
        held.push(m.Name);
        out.push({ ...m, Source: m.Subpath ? await volumeSubpath(dir, m.Subpath) : dir });
      }
    } catch (err) {
      await release();
      throw err;
    }
    return { mounts: out, release };
  }

  async stopped(id: string): Promise<void> {
    const names = this.held.get(id);
    if (!names) return;
    this.held.delete(id);
    for (const n of names) {
      await this.opts.volumes.release(n, id).catch((err) => log.warn('volume unmount failed', { name: n, err: errorMessage(err) }));
      this.opts.events.publish('volume', 'unmount', n, { container: id, driver: 'local' });
    }
  }

  async destroyed(id: string): Promise<void> {
    const anon = this.autoRemoved.get(id);
    this.autoRemoved.delete(id);
    if (anon?.length) await this.removeVolumes(anon);
  }

  /** The anonymous volumes `rm -v` removes with a container (never named ones). */
  anonymousVolumes(rec: ContainerRecord): string[] {
    return anonymousNames(rec.MountPoints);
  }

  /** Removes volumes no other container uses; one still in use stays, as in Docker. */
  async removeVolumes(names: string[]): Promise<void> {
    for (const n of names) {
      await this.opts.volumes.remove(n, { force: true }).catch((err) => log.debug('volume kept', { name: n, err: errorMessage(err) }));
    }
  }
}

function volumeNames(mounts: MountPointRecord[] | undefined): string[] {
  return (mounts ?? []).filter((m) => m.Type === 'volume' && m.Name).map((m) => m.Name!);
}

function anonymousNames(mounts: MountPointRecord[] | undefined): string[] {
  return (mounts ?? []).filter((m) => m.Type === 'volume' && m.Name && !m.Named).map((m) => m.Name!);
}
