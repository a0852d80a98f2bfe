// Container service: create, start, stop, kill, wait, remove, rename, prune: the one owner of container
// state (other services change a record only through `update`, under the container's lock). Each container runs under its own conmon, so containers outlive berthd; exits are learned from
// conmon's exit files (inotify), never by polling. Recovery (recovery.ts), restart policy
// (restart-policy.ts), wait conditions (wait.ts) and usage queries (usage.ts) live beside it. Other
// services are told of a container's end through explicit calls (mounts.stopped/destroyed, network.release).
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerConfigOptions, ContainerServiceOptions } from './options.js';
import { createContainer } from './create.js';
import { conflict, errorMessage, invalidArgument, isBerthError, notFound, notModified } from '../../errors.js';
import { ExitWatcher, type ExitInfo } from '../../runtime/exit-watcher.js';
import { runtimeDeleteFast, runtimePause, runtimeResume } from '../../runtime/oci-runtime.js';
import { parseSignal } from '../../runtime/signals.js';
import { releaseRunMounts } from './run-mounts.js';
import { log } from '../../util/log.js';
import { pruneContainers } from './prune.js';
import { cgroupPids } from './top.js';
import { KeyedLock } from '../../util/keyed-lock.js';
import { prepareDirs, recoverContainer } from './recovery.js';
import { RestartSupervisor } from './restart-policy.js';
import { nextExit, waitFor, type WaitCondition } from './wait.js';
import * as usage from './usage.js';
import { failedStartExitCode, launchContainer, runtimeRef, usernsOf } from './launch.js';
import { pinContainerUserns } from './userns-rootfs.js';
import { ContainerPaths } from './paths.js';
import { ContainerStore } from './store.js';
import { removeContainerFiles } from './remove-files.js';
import type { ContainerRecord, CreateRequest } from '../../model/container.js';
import { namespacePeerPid, peerInfo } from './peers.js';
import { resizeTerminal } from './tty-resize.js';
import { LinkHooks } from './link-hooks.js';

export type { ContainerConfigOptions, ContainerServiceOptions, WaitCondition };

export class ContainerService {
  readonly paths: ContainerPaths;
  readonly store: ContainerStore;
  private readonly exits: ExitWatcher;
  /** `exit:<id>` after an exit is handled (code), `start:<id>`, `remove:<id>` (code) for waiters; `start`, `exit`,
   * `remove` (id) for the engine's run followers (health probes, log rotation). */
  readonly lifecycle = new EventEmitter();
  /** One lock per container: every transition and every record change (`update`) takes it. */
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

  /** Runs `fn` under the container's lock (also cp/export's freeze and thaw; records change through `update`). */
  withLock<T>(id: string, fn: () => Promise<T>): Promise<T> { return this.locks.run(id, fn); }

  /** The one way to change a record outside a transition (connect, update, rename): under the lock, on the
   * stored record (re-resolved there: a removal in between is a 404), saved once; a throwing `change` saves nothing. */
  update<T>(id: string, change: (rec: ContainerRecord) => T | Promise<T>): Promise<T> {
    return this.withLock(id, async () => {
      const rec = this.store.get(id) ?? this.store.resolve(id); // resolve: Docker's 404
      const out = await change(rec);
      await this.store.save(rec);
      return out;
    });
  }

  /** Inside the lock: the record is still the stored one (not removed while the caller waited). */
  private assertStored(rec: ContainerRecord): void { if (this.store.get(rec.Id) !== rec) throw notFound(`No such container: ${rec.Id}`); }

  /** Event attributes Docker sends for containers: image, name, and the labels. */
  attributes(rec: ContainerRecord, extra: Record<string, string> = {}): Record<string, string> {
    return { ...(rec.Config.Labels ?? {}), image: String(rec.Config.Image ?? rec.Image), name: rec.Name.slice(1), ...extra };
  }

  private life(kind: 'start' | 'exit' | 'remove', rec: ContainerRecord, code?: number): void {
    this.lifecycle.emit(`${kind}:${rec.Id}`, code);
    this.lifecycle.emit(kind, rec.Id);
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
      const t0 = performance.now(); // where a start's time goes (docs/benchmarks.md): mounts, then network, then launch
      const mounts = await this.opts.mounts?.start(rec);
      const tMounts = performance.now();
      if (mounts) rec.MountPoints = mounts.mountPoints;
      const makeNetns = await pinContainerUserns(this.paths, rec.Id, usernsOf(rec, this.opts.config), namespacePeerPid(this.store, rec));
      const netnsPath = await this.opts.network?.attach(rec, makeNetns, link.hosts);
      log.debug('container start phases', { id: rec.Id.slice(0, 12), mountsMs: Math.round(tMounts - t0), networkMs: Math.round(performance.now() - tMounts), pooled: rec.NetworkSettings?.SandboxKey?.includes('/berth-pool-') ?? false });
      ({ pid } = await launchContainer(rec, this.opts.config, this.paths, this.opts.config.monitorLogLevel, mounts?.oci, netnsPath, (ref) => peerInfo(this.store, this.paths, ref), link.env));
    } catch (err) {
      this.exits.off(rec.Id);
      await this.opts.network?.release(rec).catch((e) => log.warn('network release failed', { id: rec.Id, err: errorMessage(e) }));
      await releaseRunMounts(this.paths, rec.Id).catch((e) => log.warn('unmount failed', { id: rec.Id, err: errorMessage(e) }));
      rec.State = { ...rec.State, Status: rec.State.Status === 'restarting' ? 'exited' : rec.State.Status, Error: errorMessage(err), ExitCode: failedStartExitCode(err) };
      await this.store.save(rec);
      this.emit(rec, 'die', { exitCode: String(rec.State.ExitCode) });
      void this.opts.mounts?.stopped?.(rec.Id);
      // Attached clients (`start -a`, `run`) must see their stream end, as Docker closes it.
      this.life('exit', rec, rec.State.ExitCode);
      // Docker removes an --rm container whose start failed (the CLI waits for that removal).
      if (rec.HostConfig.AutoRemove) await this.destroy(rec).catch((e) => log.error('auto-remove failed', { id: rec.Id, err: errorMessage(e) }));
      throw err;
    }
    rec.State = { Status: 'running', Pid: pid, ExitCode: 0, Error: '', OOMKilled: false, StartedAt: new Date().toISOString(), FinishedAt: rec.State.FinishedAt };
    rec.HasBeenStartedBefore = true;
    this.life('start', rec);
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
      releaseRunMounts(this.paths, rec.Id).catch((err) => log.warn('unmount failed', { id: rec.Id, err: errorMessage(err) })),
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
    this.life('exit', rec, info.exitCode);
    await cleanup.catch((err) => log.error('exit clean-up failed', { id: rec.Id, err: errorMessage(err) }));
    if (restart) this.restarts.schedule(rec, info.finishedAt.getTime() - Date.parse(rec.State.StartedAt));
  }

  /** Docker's stop: the stop signal, SIGKILL after the timeout. Each signal is sent under the lock (state re-checked
   * there), the exit is awaited outside it: a `kill` can hurry a stop, and the exit's clean-up never waits behind it. */
  async stop(ref: string, opts: { timeout?: number; signal?: string } = {}): Promise<void> {
    const rec = this.resolve(ref);
    const signal = parseSignal(opts.signal, rec.Config.StopSignal || 'SIGTERM');
    const { exited } = await this.withLock(rec.Id, async (): Promise<{ exited?: Promise<number> }> => {
      this.assertStored(rec);
      if (!this.isRunning(rec)) throw notModified();
      rec.HasBeenManuallyStopped = true;
      // Kept at once: berthd may die before the exit is handled, and `unless-stopped` must stay down.
      await this.store.save(rec);
      if (this.restarts.cancel(rec)) {
        // Waiting to restart: there is no process; it simply stays down.
        await this.store.save(rec);
        this.life('exit', rec, rec.State.ExitCode);
        this.emit(rec, 'stop');
        return {};
      }
      return await this.signalLocked(rec, signal, true);
    });
    if (!exited) return;
    const timeout = opts.timeout ?? (typeof rec.Config.StopTimeout === 'number' ? rec.Config.StopTimeout : 10);
    try {
      const done = timeout < 0 ? await exited.then(() => true) : await Promise.race([exited.then(() => true), sleep(timeout * 1000).then(() => false)]);
      if (!done) {
        await this.withLock(rec.Id, async () => { if (this.isRunning(rec)) await this.signalLocked(rec, 9, false); });
        await exited;
      }
      this.emit(rec, 'stop');
    } finally {
      this.stopping.delete(rec.Id);
    }
  }

  /**
   * Sends `signal` to the container's process; called under the lock. With `stopping`, the run is marked
   * as ended on purpose (no restart policy) and its exit is returned (wrapped: a bare promise returned
   * from the lock would be awaited inside it), registered before the signal so a fast exit is not missed.
   */
  private async signalLocked(rec: ContainerRecord, signal: number, stopping: boolean): Promise<{ exited?: Promise<number> }> {
    let exited: Promise<number> | undefined;
    if (stopping) { this.stopping.add(rec.Id); exited = nextExit(this.lifecycle, rec.Id); }
    this.emit(rec, 'kill', { signal: String(signal) });
    try { process.kill(rec.State.Pid, signal); } catch { /* exited meanwhile */ }
    if (rec.State.Status === 'paused') {
      // A frozen process cannot act on the signal: thaw it, as Docker does when stopping.
      await runtimeResume(runtimeRef(this.opts.config, this.paths, rec.Runtime), rec.Id)
        .then(() => { if (rec.State.Status === 'paused') rec.State.Status = 'running'; })
        .catch(() => undefined);
    }
    return { exited };
  }

  async kill(ref: string, signalName?: string): Promise<void> {
    const rec = this.resolve(ref);
    const signal = parseSignal(signalName, 'SIGKILL');
    const { exited } = await this.withLock(rec.Id, async () => {
      this.assertStored(rec);
      if (!this.isRunning(rec)) throw conflict(`Cannot kill container: ${ref}: Container ${rec.Id} is not running`);
      if (rec.State.Status === 'restarting') throw conflict(`Cannot kill container: ${ref}: Container ${rec.Id} is restarting, wait until the container is running`);
      // Killed with its stop signal or SIGKILL, it was stopped by the user (no restart policy applies).
      if (signal === 9 || signal === parseSignal(undefined, rec.Config.StopSignal || 'SIGTERM')) {
        rec.HasBeenManuallyStopped = true;
        await this.store.save(rec);
      }
      // SIGKILL is waited for (the process is gone when kill answers); other signals are not.
      return await this.signalLocked(rec, signal, signal === 9);
    });
    if (exited) await this.awaitStoppedExit(rec, exited);
  }

  async restart(ref: string, opts: { timeout?: number; signal?: string } = {}): Promise<void> {
    const rec = this.resolve(ref);
    if (this.isRunning(rec)) await this.stop(rec.Id, opts).catch((err) => { if (!isBerthError(err, 'not-modified')) throw err; });
    await this.start(rec.Id).catch((err) => { if (!isBerthError(err, 'not-modified')) throw err; });
    this.emit(rec, 'restart');
  }

  /** Terminal size of a tty container (conmon's control fifo). */
  async resize(ref: string, height: number, width: number): Promise<void> {
    const rec = this.resolve(ref);
    if (!this.isRunning(rec)) throw conflict(`Container ${rec.Id} is not running`);
    if (rec.Config.Tty && height > 0 && width > 0) await resizeTerminal(this.paths.bundle(rec.Id), height, width);
  }

  /** Freezes (pause) or thaws (unpause) every process of a running container. */
  async setPaused(ref: string, paused: boolean): Promise<void> {
    const rec = this.resolve(ref);
    await this.withLock(rec.Id, async () => {
      this.assertStored(rec);
      if (!this.isRunning(rec)) throw conflict(`Container ${rec.Id} is not running`);
      if (paused === (rec.State.Status === 'paused')) throw conflict(`Container ${rec.Id} is ${paused ? 'already paused' : 'not paused'}`);
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
    // A forced rm kills under the lock and waits for the exit outside it (the exit's clean-up takes it);
    // a restart policy or a racing start may run it again meanwhile, so a few rounds.
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

  /** SIGKILL under the lock, when it is still running there; then its exit, outside the lock. */
  private async killAndWait(rec: ContainerRecord): Promise<void> {
    const { exited } = await this.withLock(rec.Id, async () => (this.isRunning(rec) ? await this.signalLocked(rec, 9, true) : {}));
    if (exited) await this.awaitStoppedExit(rec, exited);
  }

  private async awaitStoppedExit(rec: ContainerRecord, exited: Promise<number>): Promise<void> { try { await exited; } finally { this.stopping.delete(rec.Id); } }

  /** Removes everything of a stopped container; marks it first so a crash half-way is finished on recovery. */
  private async destroy(rec: ContainerRecord, runCleaned = false): Promise<void> {
    if (!this.store.get(rec.Id)) return;
    rec.RemovalInProgress = true;
    if (!runCleaned) await this.cleanupRun(rec);
    this.store.forget(rec);
    await this.store.idle(rec.Id); // a save under way finishes before the files move
    await removeContainerFiles(this.paths, rec.Id);
    this.emit(rec, 'destroy');
    void this.opts.mounts?.destroyed?.(rec.Id);
    this.life('remove', rec, rec.State.ExitCode);
  }

  async rename(ref: string, newName: string): Promise<void> {
    const rec = this.resolve(ref);
    if (!newName) throw invalidArgument('Neither old nor new names may be empty');
    const wanted = newName.startsWith('/') ? newName : '/' + newName;
    if (wanted === rec.Name) throw invalidArgument('Renaming a container with the same name as its current name');
    const oldName = await this.update(rec.Id, (stored) => {
      const old = stored.Name;
      stored.Name = this.store.rename(stored, newName);
      return old;
    });
    await this.links.renamed(rec);
    this.emit(rec, 'rename', { oldName });
  }

  async prune(filter: (rec: ContainerRecord) => boolean): Promise<{ ContainersDeleted: string[]; SpaceReclaimed: number }> {
    return pruneContainers({ all: () => this.store.all(), get: (id) => this.store.get(id), isRunning: (r) => this.isRunning(r), withLock: (id, fn) => this.withLock(id, fn), destroy: (r) => this.destroy(r), upper: (id) => this.paths.upper(id), events: this.opts.events }, filter);
  }

  async sizes(rec: ContainerRecord): Promise<{ SizeRw: number; SizeRootFs: number }> { return usage.sizes(this.paths, rec); }

  /** Host pids of the container's processes (from its cgroup). */
  pids(rec: ContainerRecord): number[] { return cgroupPids(`berth/${rec.Id}`, rec.State.Pid); }

  imagesInUse(): Set<string> { return usage.imagesInUse(this.store.all()); }
  imageUsers(imageId: string): Array<{ id: string; running: boolean }> { return usage.imageUsers(this.store.all(), imageId); }
  counts(): { total: number; running: number; paused: number; stopped: number } { return usage.counts(this.store.all()); }
  async diskUsage(): Promise<Array<Record<string, unknown>>> { return usage.diskUsage(this.paths, this.store.all()); }
}
