// Exec sessions: created against a running container, started once (attached or detached), resized,
// inspected. The process runs through the container's OCI runtime (exec-process.ts); Docker's events
// (exec_create, exec_start, exec_die) go to the bus. A container's ExecIDs are its running execs; a
// finished exec stays inspectable until its container is removed.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { conflict, errorMessage, invalidArgument, notFound } from '../../errors.js';
import type { RuntimeEntry } from '../../runtime/runtimes.js';
import type { EventBus } from '../../model/events.js';
import type { ContainerService } from '../containers/container-service.js';
import type { ContainerRecord } from '../../model/container.js';
import { runtimeRef } from '../containers/launch.js';
import { linkEnv } from '../containers/links.js';
import { resolveUser } from '../../runtime/user.js';
import { serializeSpec, type OciSpec } from '../../runtime/oci-spec.js';

import { buildExecProcess, execAction } from './process-spec.js';
import { failedExec, startExecProcess, type ExecExit, type RunningExec } from './exec-process.js';
import type { ExecCreateRequest, ExecSession } from './types.js';
import { log } from '../../util/log.js';

/** Finished execs kept per daemon at most (oldest dropped first), so memory stays bounded. */
const MAX_FINISHED = 1000;
/**
 * Created but never started: Docker's exec GC drops such sessions after a while (its tick is 5 minutes);
 * here they expire after 5 minutes, and at most this many wait per container (the oldest goes first).
 */
export const PENDING_EXEC_TTL_MS = 5 * 60_000;
export const MAX_PENDING_PER_CONTAINER = 256;

export interface StartedExec {
  session: ExecSession;
  process: RunningExec;
  /** Resolves once the exit code is recorded (before any stream is closed by the caller). */
  done: Promise<ExecExit>;
}

export class ExecService {
  private readonly sessions = new Map<string, ExecSession>();
  private readonly running = new Map<string, RunningExec>();

  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly opts: { config: { runtimes: Record<string, RuntimeEntry> }; containers: ContainerService; events: EventBus; now?: () => number }) {}

  private now(): number { return this.opts.now?.() ?? Date.now(); }

  /** Drops sessions created but never started for longer than PENDING_EXEC_TTL_MS; returns how many. */
  expirePending(): number {
    const cutoff = this.now() - PENDING_EXEC_TTL_MS;
    let n = 0;
    for (const s of [...this.sessions.values()]) if (!s.started && s.createdAt <= cutoff) { this.sessions.delete(s.id); n++; }
    if (!this.sessions.size && this.sweeper) { clearInterval(this.sweeper); this.sweeper = undefined; }
    return n;
  }

  /** At most MAX_PENDING_PER_CONTAINER unstarted sessions per container; the sweep runs while any exist. */
  private boundPending(containerId: string): void {
    const pending = [...this.sessions.values()].filter((s) => s.containerId === containerId && !s.started);
    for (const s of pending.slice(0, Math.max(0, pending.length - MAX_PENDING_PER_CONTAINER))) this.sessions.delete(s.id);
    if (!this.sweeper) { this.sweeper = setInterval(() => this.expirePending(), 60_000); this.sweeper.unref(); }
  }

  /** The container's root as its processes see it (only while it runs). */
  containerRoot(rec: ContainerRecord): string {
    return `/proc/${rec.State.Pid}/root`;
  }

  private requireRunning(rec: ContainerRecord): void {
    const c = this.opts.containers;
    if (!c.isRunning(rec) || rec.State.Status === 'restarting') throw conflict(`Container ${rec.Id} is not running`);
    if (rec.State.Status === 'paused') throw conflict(`Container ${rec.Id} is paused, unpause the container before exec`);
  }

  create(ref: string, body: ExecCreateRequest): { Id: string } {
    const rec = this.opts.containers.resolve(ref);
    this.requireRunning(rec);
    const cmd = (body.Cmd ?? []).filter((a) => typeof a === 'string');
    if (cmd.length === 0) throw invalidArgument('No exec command specified');
    linkEnv(this.opts.containers.store, rec); // dockerd refuses an exec while a link's target is down
    const id = randomBytes(32).toString('hex');
    const session: ExecSession = { id, containerId: rec.Id, config: { ...body, Cmd: cmd }, running: false, exitCode: null, pid: 0, started: false, createdAt: this.now() };
    this.sessions.set(id, session);
    this.boundPending(rec.Id);
    this.watchContainer(rec.Id);
    this.opts.events.publish('container', execAction('exec_create', cmd), rec.Id, this.opts.containers.attributes(rec, { execID: id }));
    return { Id: id };
  }

  get(id: string): ExecSession {
    const s = this.sessions.get(id);
    if (!s) throw notFound(`No such exec instance: ${id}`);
    return s;
  }

  /** Running execs of a container, as inspect's ExecIDs (null when none, as Docker). */
  idsFor(containerId: string): string[] | null {
    const ids = [...this.sessions.values()].filter((s) => s.containerId === containerId && s.running).map((s) => s.id);
    return ids.length ? ids : null;
  }

  /** `beforeSpawn` runs once the checks passed and before the process exists (the API writes its 101 there). */
  async start(id: string, beforeSpawn?: () => Promise<void>): Promise<StartedExec> {
    const session = this.get(id);
    if (session.running) throw conflict(`Error: Exec command ${id} is already running`);
    if (session.started) throw conflict(`Error: Exec command ${id} has already run`);
    const containers = this.opts.containers;
    const rec = containers.resolve(session.containerId);
    this.requireRunning(rec);
    // Links' variables are computed again for each exec, as dockerd does: a stopped target is an error.
    const links = linkEnv(containers.store, rec);
    session.started = true;
    await beforeSpawn?.();
    const cfg = session.config;
    const dir = join(containers.paths.execRoot, 'execs', id.slice(0, 16));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    let running: RunningExec;
    try {
      running = await this.spawn(rec, cfg, dir, links);
    } catch (err) {
      // Docker reports these as a failed start on the stream (exit 126), not as an HTTP error.
      running = failedExec(errorMessage(err));
    }
    session.running = true;
    this.running.set(id, running);
    this.opts.events.publish('container', execAction('exec_start', cfg.Cmd), rec.Id, containers.attributes(rec, { execID: id }));
    // As Docker, start answers once the process runs (its pid known), so inspect right after shows it.
    const pid = await running.pid;
    if (session.running) session.pid = pid;
    const done = running.exited.then(async (exit) => {
      session.running = false;
      session.exitCode = exit.exitCode;
      session.finishedAt = Date.now();
      this.running.delete(id);
      this.opts.events.publish('container', 'exec_die', rec.Id, containers.attributes(rec, { execID: id, exitCode: String(exit.exitCode) }));
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      this.trimFinished();
      if (exit.startError) log.debug('exec could not start', { id: id.slice(0, 12), err: exit.startError });
      return exit;
    });
    return { session, process: running, done };
  }

  private async spawn(rec: ContainerRecord, cfg: ExecSession['config'], dir: string, links: string[]): Promise<RunningExec> {
    const containers = this.opts.containers;
    const processFile = join(dir, 'process.json');
    const spec = JSON.parse(await readFile(join(containers.paths.bundle(rec.Id), 'config.json'), 'utf8')) as OciSpec;
    const root = this.containerRoot(rec);
    // The container owns these files: read asynchronously, regular files only, bounded (src/fs/).
    const user = await resolveUser(root, cfg.User || rec.Config.User);
    const size = Array.isArray(cfg.ConsoleSize) ? { height: Number(cfg.ConsoleSize[0]), width: Number(cfg.ConsoleSize[1]) } : undefined;
    const proc = buildExecProcess({
      base: spec.process, args: cfg.Cmd, containerEnv: [...links, ...(rec.Config.Env ?? [])], execEnv: cfg.Env ?? [],
      hostname: rec.Config.Hostname ?? rec.Id.slice(0, 12), cwd: cfg.WorkingDir || rec.Config.WorkingDir || '/',
      user, tty: !!cfg.Tty, privileged: !!cfg.Privileged, consoleSize: size,
    });
    await writeFile(processFile, serializeSpec(proc as unknown as OciSpec), { mode: 0o600 });
    // A privileged process may change the network namespace: it is not handed to another container.
    if (cfg.Privileged && rec.NetworkSettings && !rec.NetworkSettings.SandboxTainted) {
      rec.NetworkSettings.SandboxTainted = true;
      await containers.store.save(rec);
    }
    const rt = runtimeRef(this.opts.config, containers.paths, rec.Runtime);
    return startExecProcess({
      runtimePath: rt.path, runtimeArgs: ['--root', rt.root, ...rt.args], containerId: rec.Id, dir, processFile, tty: !!cfg.Tty,
    });
  }

  resize(id: string, height: number, width: number): void {
    const s = this.get(id);
    const proc = this.running.get(id);
    if (!proc) throw conflict(`Exec ${id} is not running`);
    if (s.config.Tty) proc.resize(height, width);
  }

  private readonly watched = new Set<string>();

  /** Kills a container's execs when it exits; forgets them when it is removed. */
  private watchContainer(containerId: string): void {
    if (this.watched.has(containerId)) return;
    this.watched.add(containerId);
    const lc = this.opts.containers.lifecycle;
    const onExit = () => {
      for (const s of this.sessions.values()) if (s.containerId === containerId) this.running.get(s.id)?.kill();
    };
    const onRemove = () => {
      lc.off(`exit:${containerId}`, onExit);
      this.watched.delete(containerId);
      for (const s of [...this.sessions.values()]) if (s.containerId === containerId) this.sessions.delete(s.id);
    };
    lc.on(`exit:${containerId}`, onExit);
    lc.once(`remove:${containerId}`, onRemove);
  }

  private trimFinished(): void {
    const finished = [...this.sessions.values()].filter((s) => !s.running && s.finishedAt !== undefined);
    if (finished.length <= MAX_FINISHED) return;
    finished.sort((a, b) => a.finishedAt! - b.finishedAt!);
    for (const s of finished.slice(0, finished.length - MAX_FINISHED)) this.sessions.delete(s.id);
  }
}
