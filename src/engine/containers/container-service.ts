// Container service: create, start, stop, kill, wait, remove, rename, prune: the one owner of container
// state. Each container runs under its own conmon, so containers outlive berthd; exits are learned from
// conmon's exit files (inotify), never by polling. Recovery (recovery.ts), restart policy
// (restart-policy.ts), wait conditions (wait.ts) and usage queries (usage.ts) live beside it. Other
// services are told of a container's end through explicit calls (mounts.stopped/destroyed, network.release).
import { EventEmitter } from 'node:events';
import { constants, existsSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerConfigOptions } from './options.js';
import { createContainer } from './create.js';
import { conflict, errorMessage, invalidArgument, isBerthError, notFound, notModified } from '../../errors.js';
import type { ImageProvider } from '../../model/image.js';
import { ExitWatcher, type ExitInfo } from '../../runtime/exit-watcher.js';
import { runtimeDeleteFast, runtimePause, runtimeResume } from '../../runtime/oci-runtime.js';
import { parseSignal } from '../../runtime/signals.js';
import { unmountRootfs } from '../../fs/overlay.js';
import { log } from '../../util/log.js';
import type { EventBus } from '../../model/events.js';
import type { NetworkService } from '../../network/network-service.js';
import { pruneContainers } from './prune.js';
import { cgroupPids } from './top.js';
import { KeyedLock } from '../../util/keyed-lock.js';
import { prepareDirs, recoverContainer } from './recovery.js';
import { RestartSupervisor } from './restart-policy.js';
import { nextExit, waitFor, type WaitCondition } from './wait.js';
import * as usage from './usage.js';
import { failedStartExitCode, launchContainer, runtimeRef } from './launch.js';
import { ContainerPaths } from './paths.js';
import { ContainerStore } from './store.js';
import type { ContainerMountHooks } from './mounts.js';
import type { ContainerRecord, CreateRequest } from '../../model/container.js';
import { peerInfo } from './peers.js';
import { LinkHooks } from './link-hooks.js';

export type { ContainerConfigOptions };

export interface ContainerServiceOptions {
  config: ContainerConfigOptions;
  events: EventBus;
  images: ImageProvider;
  /** Volumes and mounts (src/engine/volumes); without it only host-path binds work. */
  mounts?: ContainerMountHooks;
  /** Networking (src/network): endpoints recorded at create, set up before start, released after a run. */
  network?: Pick<NetworkService, 'createSettings' | 'attach' | 'release' | 'rewriteHosts'>;
}

export type { WaitCondition };

export class ContainerService {
  readonly paths: ContainerPaths;
  readonly store: ContainerStore;
  private readonly exits: ExitWatcher;
  /** `exit:<id>` after an exit is fully handled (code), `start:<id>`, `remove:<id>` (code). */
  readonly lifecycle = new EventEmitter();
  /** One lock per container: start, exit clean-up, pause, remove and prune take it. */
  private readonly locks = new KeyedLock();
  /** Containers being stopped on purpose (no restart policy, `stop` event after `die`). */
  private readonly stopping = new Set<string>();
  /** Restart policies: the delayed restarts after an exit (restart-policy.ts). */
  private readonly restarts: RestartSupervisor;
  readonly links: LinkHooks; // legacy links beyond create (link-hooks.ts)

  constructor(readonly opts: ContainerServiceOptions) {
    this.paths = new ContainerPaths(opts.config.dataRoot, opts.config.execRoot);
    this.store = new ContainerStore(this.paths);
    this.exits = new ExitWatcher(this.paths.exitDir);
    this.lifecycle.setMaxListeners(0);
    this.links = new LinkHooks(this.store, (r) => this.isRunning(r), opts.network);
    // The delayed start of a container still waiting to restart (not stopped or removed meanwhile).
    this.restarts = new RestartSupervisor({ restartNow: (rec) => this.withLock(rec.Id, async () => {
      if (rec.State.Status === 'restarting' && this.store.get(rec.Id)) { rec.RestartCount++; await this.startLocked(rec); }
    }) });
  }

  /** Loads containers from disk and reconciles them with what conmon and the runtime report. */
  async init(): Promise<void> {
    await prepareDirs(this.paths);
    this.exits.open();
    const steps = {
      paths: this.paths, exits: this.exits,
      handleExit: (rec: ContainerRecord, info: ExitInfo) => this.handleExit(rec, info),
      watchExit: (rec: ContainerRecord) => this.watchExit(rec),
      cleanupRun: (rec: ContainerRecord) => this.cleanupRun(rec),
      destroy: (rec: ContainerRecord) => this.destroy(rec),
    };
    for (const rec of this.store.load()) {
      try { await recoverContainer(steps, rec); } catch (err) { log.error('recovery failed', { id: rec.Id, err: errorMessage(err) }); }
      // Stopped containers whose restart policy says so come back with berthd, in the background.
      if (!this.isRunning(rec) && this.store.get(rec.Id) && this.restarts.onDaemonStart(rec)) {
        void this.withLock(rec.Id, () => this.startLocked(rec)).catch((err) => log.warn('restart at start-up failed', { id: rec.Id, err: errorMessage(err) }));
      }
    }
  }

  /** Runs `fn` under the container's lock (also for other services' record changes: network connect). */
  withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(id, fn);
  }

  /** Inside the lock: the record is still the stored one (not removed while the caller waited). */
  private assertStored(rec: ContainerRecord): void {
    if (this.store.get(rec.Id) !== rec) throw notFound(`No such container: ${rec.Id}`);
  }

  /** Event attributes Docker sends for containers: image, name, and the labels. */
  attributes(rec: ContainerRecord, extra: Record<string, string> = {}): Record<string, string> {
    return { ...(rec.Config.Labels ?? {}), image: String(rec.Config.Image ?? rec.Image), name: rec.Name.slice(1), ...extra };
  }

  private emit(rec: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    this.opts.events.publish('container', action, rec.Id, this.attributes(rec, extra));
  }

  resolve(ref: string): ContainerRecord { return this.store.resolve(ref); }

  isRunning(rec: ContainerRecord): boolean {
    return rec.State.Status === 'running' || rec.State.Status === 'paused' || rec.State.Status === 'restarting';
  }

  async create(body: CreateRequest, name: string | undefined): Promise<{ Id: string; Warnings: string[] }> {
    const { rec, warnings } = await createContainer({ ...this.opts, paths: this.paths, store: this.store }, body, name);
    this.emit(rec, 'create');
    return { Id: rec.Id, Warnings: warnings };
  }

  async start(ref: string): Promise<void> {
    const rec = this.resolve(ref);
    await this.withLock(rec.Id, async () => {
      await this.startLocked(rec);
      // A start the user asked for: the policy applies again, its back-off from the beginning.
      this.restarts.reset(rec.Id);
      if (rec.HasBeenManuallyStopped) { rec.HasBeenManuallyStopped = false; await this.store.save(rec); }
    });
  }

  private async startLocked(rec: ContainerRecord): Promise<void> {
    this.assertStored(rec);
    // A container waiting to restart may be started (by its timer, or by the user sooner).
    if (this.isRunning(rec) && rec.State.Status !== 'restarting') throw notModified();
    if (rec.RemovalInProgress) throw conflict(`container is marked for removal and cannot be started`);
    let pid: number;
    // Register for the exit before the process exists, so a fast exit is never missed; the exit file
    // of the previous run must go first.
    await rm(this.paths.exitFile(rec.Id), { force: true });
    const exited = new Promise<ExitInfo>((resolve) => this.exits.on(rec.Id, resolve));
    try {
      const link = this.links.forStart(rec); // targets checked first (running, on the default bridge), as dockerd does
      const mounts = await this.opts.mounts?.start(rec);
      const netnsPath = await this.opts.network?.attach(rec, link.hosts);
      ({ pid } = await launchContainer(rec, this.opts.config, this.paths, this.opts.config.monitorLogLevel, mounts, netnsPath, (ref) => peerInfo(this.store, ref), link.env));
    } catch (err) {
      this.exits.off(rec.Id);
      await this.opts.network?.release(rec).catch((e) => log.warn('network release failed', { id: rec.Id, err: errorMessage(e) }));
      rec.State = { ...rec.State, Status: rec.State.Status === 'restarting' ? 'exited' : rec.State.Status, Error: errorMessage(err), ExitCode: failedStartExitCode(err) };
      await this.store.save(rec);
      this.emit(rec, 'die', { exitCode: String(rec.State.ExitCode) });
      void this.opts.mounts?.stopped?.(rec.Id);
      // Attached clients (`start -a`, `run`) must see their stream end, as Docker closes it.
      this.lifecycle.emit(`exit:${rec.Id}`, rec.State.ExitCode);
      // Docker removes an --rm container whose start failed (the CLI waits for that removal).
      if (rec.HostConfig.AutoRemove) await this.destroy(rec).catch((e) => log.error('auto-remove failed', { id: rec.Id, err: errorMessage(e) }));
      throw err;
    }
    rec.State = { Status: 'running', Pid: pid, ExitCode: 0, Error: '', OOMKilled: false, StartedAt: new Date().toISOString(), FinishedAt: rec.State.FinishedAt };
    rec.HasBeenStartedBefore = true;
    this.lifecycle.emit(`start:${rec.Id}`);
    // `start` before anything awaits: a process that exits at once must not have its `die` published first.
    this.emit(rec, 'start');
    exited.then((info) => this.handleExit(rec, info)).catch((err) => log.error('exit handling failed', { id: rec.Id, err: errorMessage(err) }));
    await this.store.save(rec);
    this.links.started(rec);
  }

  private watchExit(rec: ContainerRecord): void {
    this.exits.on(rec.Id, (info) => { void this.handleExit(rec, info).catch((err) => log.error('exit handling failed', { id: rec.Id, err: errorMessage(err) })); });
  }

  /** Runtime state and rootfs mount of a run, released in parallel. */
  private async cleanupRun(rec: ContainerRecord): Promise<void> {
    const rt = { name: rec.Runtime, path: this.opts.config.runtimes[rec.Runtime]?.path ?? '/usr/sbin/runc', root: this.paths.runtimeRootFor(rec.Runtime) };
    await Promise.all([
      runtimeDeleteFast(rt, rec.Id).catch((err) => log.warn('runtime delete failed', { id: rec.Id, err: errorMessage(err) })),
      unmountRootfs(this.paths.merged(rec.Id)).catch((err) => log.warn('unmount failed', { id: rec.Id, err: errorMessage(err) })),
      this.opts.network?.release(rec).catch((err) => log.warn('network release failed', { id: rec.Id, err: errorMessage(err) })),
    ]);
  }

  private async handleExit(rec: ContainerRecord, info: ExitInfo): Promise<void> {
    const oom = existsSync(join(this.paths.persistDir(rec.Id), 'oom'));
    const stoppedOnPurpose = this.stopping.has(rec.Id);
    const autoRemove = !!rec.HostConfig.AutoRemove && !stoppedOnPurpose && !rec.RemovalInProgress;
    // Decided at the exit, so nobody sees it `exited` in between: it waits in `restarting` (Docker's state).
    const restart = !autoRemove && !stoppedOnPurpose && !rec.RemovalInProgress && !!this.store.get(rec.Id) && this.restarts.restarts(rec, info.exitCode);
    rec.State = { ...rec.State, Status: restart ? 'restarting' : 'exited', Pid: 0, ExitCode: info.exitCode, OOMKilled: oom, FinishedAt: info.finishedAt.toISOString() };
    // Runtime state is released under the container's lock: a `start` or `rm` right after waits for it,
    // while streams and waiters learn about the exit at once.
    const cleanup = this.withLock(rec.Id, async () => {
      await this.cleanupRun(rec);
      if (autoRemove) await this.destroy(rec, true);
      else if (this.store.get(rec.Id)) await this.store.save(rec);
    });
    if (oom) this.emit(rec, 'oom');
    this.emit(rec, 'die', { exitCode: String(info.exitCode), execDuration: String(Math.max(0, Math.round((info.finishedAt.getTime() - Date.parse(rec.State.StartedAt)) / 1000))) });
    void this.opts.mounts?.stopped?.(rec.Id);
    this.lifecycle.emit(`exit:${rec.Id}`, info.exitCode);
    await cleanup.catch((err) => log.error('exit clean-up failed', { id: rec.Id, err: errorMessage(err) }));
    if (restart) this.restarts.schedule(rec, info.finishedAt.getTime() - Date.parse(rec.State.StartedAt));
  }

  private nextExit(id: string): Promise<number> {
    return nextExit(this.lifecycle, id);
  }

  async stop(ref: string, opts: { timeout?: number; signal?: string } = {}): Promise<void> {
    const rec = this.resolve(ref);
    if (!this.isRunning(rec)) throw notModified();
    rec.HasBeenManuallyStopped = true;
    // Kept at once: berthd may die before the exit is handled, and `unless-stopped` must stay down.
    await this.store.save(rec);
    if (this.restarts.cancel(rec)) {
      // Waiting to restart: there is no process; it simply stays down.
      await this.store.save(rec);
      this.lifecycle.emit(`exit:${rec.Id}`, rec.State.ExitCode);
      this.emit(rec, 'stop');
      return;
    }
    const signal = parseSignal(opts.signal, rec.Config.StopSignal || 'SIGTERM');
    const timeout = opts.timeout ?? (typeof rec.Config.StopTimeout === 'number' ? rec.Config.StopTimeout : 10);
    this.stopping.add(rec.Id);
    try {
      const exited = this.nextExit(rec.Id);
      this.signal(rec, signal);
      const done = timeout < 0 ? await exited.then(() => true) : await Promise.race([exited.then(() => true), sleep(timeout * 1000).then(() => false)]);
      if (!done && this.isRunning(rec)) {
        this.signal(rec, 9);
        await exited;
      }
      this.emit(rec, 'stop');
    } finally {
      this.stopping.delete(rec.Id);
    }
  }

  private signal(rec: ContainerRecord, signal: number): void {
    this.emit(rec, 'kill', { signal: String(signal) });
    try { process.kill(rec.State.Pid, signal); } catch { /* exited meanwhile */ }
    if (rec.State.Status === 'paused') {
      // A frozen process cannot act on the signal: thaw it, as Docker does when stopping.
      void runtimeResume(runtimeRef(this.opts.config, this.paths, rec.Runtime), rec.Id)
        .then(() => { if (rec.State.Status === 'paused') rec.State.Status = 'running'; })
        .catch(() => undefined);
    }
  }

  async kill(ref: string, signalName?: string): Promise<void> {
    const rec = this.resolve(ref);
    const signal = parseSignal(signalName, 'SIGKILL');
    if (!this.isRunning(rec)) throw conflict(`Cannot kill container: ${ref}: Container ${rec.Id} is not running`);
    if (rec.State.Status === 'restarting') throw conflict(`Cannot kill container: ${ref}: Container ${rec.Id} is restarting, wait until the container is running`);
    // Killed with its stop signal or SIGKILL, it was stopped by the user (no restart policy applies).
    if (signal === 9 || signal === parseSignal(undefined, rec.Config.StopSignal || 'SIGTERM')) {
      rec.HasBeenManuallyStopped = true;
      await this.store.save(rec);
    }
    if (signal === 9) await this.killAndWait(rec); else this.signal(rec, signal);
  }

  async restart(ref: string, opts: { timeout?: number; signal?: string } = {}): Promise<void> {
    const rec = this.resolve(ref);
    if (this.isRunning(rec)) await this.stop(rec.Id, opts).catch((err) => { if (!isBerthError(err, 'not-modified')) throw err; });
    await this.start(rec.Id).catch((err) => { if (!isBerthError(err, 'not-modified')) throw err; });
    this.emit(rec, 'restart');
  }

  /** Terminal size of a tty container, through conmon's control fifo (`1 <height> <width>`). */
  async resize(ref: string, height: number, width: number): Promise<void> {
    const rec = this.resolve(ref);
    if (!this.isRunning(rec)) throw conflict(`Container ${rec.Id} is not running`);
    if (!rec.Config.Tty || height <= 0 || width <= 0) return;
    let fh;
    try { fh = await open(join(this.paths.bundle(rec.Id), 'ctl'), constants.O_WRONLY | constants.O_NONBLOCK); } catch { return; }
    try { await fh.write(`1 ${height} ${width}\n`); } catch { /* conmon busy or gone */ } finally { await fh.close(); }
  }

  /** Freezes (pause) or thaws (unpause) every process of a running container. */
  async setPaused(ref: string, paused: boolean): Promise<void> {
    const rec = this.resolve(ref);
    await this.withLock(rec.Id, async () => {
      this.assertStored(rec);
      if (!this.isRunning(rec)) throw conflict(`Container ${rec.Id} is not running`);
      if (paused && rec.State.Status === 'paused') throw conflict(`Container ${rec.Id} is already paused`);
      if (!paused && rec.State.Status !== 'paused') throw conflict(`Container ${rec.Id} is not paused`);
      const rt = runtimeRef(this.opts.config, this.paths, rec.Runtime);
      await (paused ? runtimePause(rt, rec.Id) : runtimeResume(rt, rec.Id));
      rec.State.Status = paused ? 'paused' : 'running';
      await this.store.save(rec);
      this.emit(rec, paused ? 'pause' : 'unpause');
    });
  }

  /** Docker's wait: the exit code once the condition holds; `signal` (the client went away) drops the waiter. */
  async wait(ref: string, condition: WaitCondition = 'not-running', signal?: AbortSignal): Promise<number> {
    const rec = this.resolve(ref);
    return waitFor(this.lifecycle, rec, condition, this.isRunning(rec), signal);
  }

  /**
   * "Running" is decided inside the lock: an `rm` racing a `start` either removes the container before
   * it starts or refuses (without force) or kills it first (with force), never deletes a running one.
   */
  async remove(ref: string, opts: { force?: boolean } = {}): Promise<void> {
    const rec = this.resolve(ref);
    if (rec.State.Status === 'restarting') {
      if (!opts.force) throw conflict(`You cannot remove a restarting container ${rec.Id}. Stop the container before attempting removal or force remove`);
      this.restarts.cancel(rec);
    }
    const refuse = () => conflict(`You cannot remove a running container ${rec.Id}. Stop the container before attempting removal or force remove`);
    if (this.isRunning(rec) && !opts.force) throw refuse();
    // A forced rm kills outside the lock (the exit's clean-up takes it); a restart policy or a racing
    // start may run it again meanwhile, so a few rounds.
    for (let round = 0; round < 10; round++) {
      if (this.isRunning(rec)) await this.killAndWait(rec);
      const done = await this.withLock(rec.Id, async () => {
        if (!this.store.get(rec.Id)) return true; // auto-removed meanwhile
        if (this.isRunning(rec)) { if (!opts.force) throw refuse(); return false; }
        await this.destroy(rec);
        return true;
      });
      if (done) return;
    }
    throw conflict(`container ${rec.Id} kept being restarted while it was removed`);
  }

  private async killAndWait(rec: ContainerRecord): Promise<void> {
    this.stopping.add(rec.Id);
    try {
      const exited = this.nextExit(rec.Id);
      this.signal(rec, 9);
      await exited;
    } finally { this.stopping.delete(rec.Id); }
  }

  /** Removes everything of a stopped container; marks it first so a crash half-way is finished on recovery. */
  private async destroy(rec: ContainerRecord, runCleaned = false): Promise<void> {
    if (!this.store.get(rec.Id)) return;
    rec.RemovalInProgress = true;
    if (!runCleaned) await this.cleanupRun(rec);
    this.store.forget(rec);
    await this.store.idle(rec.Id); // a save under way finishes before the files move
    // Renaming the files away is what makes the removal final (the record is gone from the containers
    // dir); deleting the bytes is off the path of `run --rm`, which waits for this removal.
    const dataTrash = join(this.paths.trashDir, rec.Id);
    const execTrash = join(this.paths.execTrashDir, rec.Id);
    const moveAway = (from: string, to: string) => rename(from, to).then(() => to, () => rm(from, { recursive: true, force: true }).then(() => undefined));
    const [movedData, movedExec] = await Promise.all([
      moveAway(this.paths.dir(rec.Id), dataTrash),
      moveAway(this.paths.bundle(rec.Id), execTrash),
      rm(this.paths.exitFile(rec.Id), { force: true }),
    ]);
    this.emit(rec, 'destroy');
    void this.opts.mounts?.destroyed?.(rec.Id);
    this.lifecycle.emit(`remove:${rec.Id}`, rec.State.ExitCode);
    for (const dir of [movedData, movedExec]) {
      if (dir) void rm(dir, { recursive: true, force: true }).catch((err) => log.warn('deleting removed container files failed', { dir, err: errorMessage(err) }));
    }
  }

  async rename(ref: string, newName: string): Promise<void> {
    const rec = this.resolve(ref);
    if (!newName) throw invalidArgument('Neither old nor new names may be empty');
    const wanted = newName.startsWith('/') ? newName : '/' + newName;
    if (wanted === rec.Name) throw invalidArgument('Renaming a container with the same name as its current name');
    const oldName = rec.Name;
    rec.Name = this.store.rename(rec, newName);
    await this.store.save(rec);
    await this.links.renamed(rec);
    this.emit(rec, 'rename', { oldName });
  }

  async prune(filter: (rec: ContainerRecord) => boolean): Promise<{ ContainersDeleted: string[]; SpaceReclaimed: number }> {
    return pruneContainers({ all: () => this.store.all(), get: (id) => this.store.get(id), isRunning: (r) => this.isRunning(r), withLock: (id, fn) => this.withLock(id, fn), destroy: (r) => this.destroy(r), upper: (id) => this.paths.upper(id), events: this.opts.events }, filter);
  }

  async sizes(rec: ContainerRecord): Promise<{ SizeRw: number; SizeRootFs: number }> {
    return usage.sizes(this.paths, rec);
  }

  /** Host pids of the container's processes (from its cgroup). */
  pids(rec: ContainerRecord): number[] {
    return cgroupPids(`berth/${rec.Id}`, rec.State.Pid);
  }

  imagesInUse(): Set<string> { return usage.imagesInUse(this.store.all()); }
  imageUsers(imageId: string): Array<{ id: string; running: boolean }> { return usage.imageUsers(this.store.all(), imageId); }
  counts(): { total: number; running: number; paused: number; stopped: number } { return usage.counts(this.store.all()); }
  async diskUsage(): Promise<Array<Record<string, unknown>>> { return usage.diskUsage(this.paths, this.store.all()); }
}
