// Runs each running container's health probe on Docker's schedule, records State.Health (last five
// results), publishes `health_status: <status>` events on a change, and carries out the berth extension
// `berth.health.on-failure` (restart, stop or kill) when the container turns unhealthy. Probes run as
// execs in the container; the monitor follows `start`/`die` events, so the life cycle needs no hooks.
import { errorMessage, isBerthError } from '../../errors.js';
import { log } from '../../util/log.js';
import type { EventBus } from '../../model/events.js';
import type { ContainerService } from '../containers/container-service.js';
import type { ContainerRecord } from '../../model/container.js';
import type { ExecService } from '../exec/exec-service.js';
import {
  applyResult, goDuration, MAX_OUTPUT_BYTES, nextInterval, onFailureAction, probeOf,
  type HealthResult, type HealthState, type Probe,
} from './health-config.js';

interface Watch { timer?: NodeJS.Timeout; stopped: boolean; probe: Probe; startedAt: number }

export class HealthMonitor {
  private readonly watches = new Map<string, Watch>();

  constructor(private readonly opts: { containers: ContainerService; exec: ExecService; events: EventBus }) {}

  /** Follows container starts and exits; picks up containers already running (after a berthd restart). */
  init(): void {
    // The container service's own run signals (explicit), not the public event stream.
    const life = this.opts.containers.lifecycle;
    life.on('start', (id: string) => this.startFor(id));
    for (const end of ['exit', 'remove']) life.on(end, (id: string) => this.stopFor(id));
    for (const rec of this.opts.containers.store.all()) {
      if (rec.State.Status === 'running' || rec.State.Status === 'paused') this.startFor(rec.Id, false);
    }
  }

  private record(id: string): ContainerRecord | undefined {
    return this.opts.containers.store.get(id);
  }

  /** Docker resets the status to `starting` (keeping the log) on every start. */
  private startFor(id: string, fresh = true): void {
    const rec = this.record(id);
    if (!rec) return;
    const probe = probeOf(rec.Config.Healthcheck as never, rec.Config.Shell);
    this.stopFor(id);
    if (!probe) return;
    if (fresh || !rec.State.Health) {
      rec.State.Health = { Status: 'starting', FailingStreak: 0, Log: rec.State.Health?.Log ?? [] };
      void this.opts.containers.store.save(rec).catch(() => undefined);
    }
    const w: Watch = { stopped: false, probe, startedAt: Date.parse(rec.State.StartedAt) || Date.now() };
    this.watches.set(id, w);
    this.schedule(id, w);
  }

  private stopFor(id: string): void {
    const w = this.watches.get(id);
    if (!w) return;
    w.stopped = true;
    if (w.timer) clearTimeout(w.timer);
    this.watches.delete(id);
  }

  private schedule(id: string, w: Watch): void {
    const rec = this.record(id);
    if (!rec?.State.Health || w.stopped) return;
    w.timer = setTimeout(() => { void this.tick(id, w); }, nextInterval(rec.State.Health, w.probe, w.startedAt));
    w.timer.unref();
  }

  private async tick(id: string, w: Watch): Promise<void> {
    const rec = this.record(id);
    if (!rec || w.stopped) return;
    // A paused container is not probed (Docker skips it too); its status stays as it was.
    if (rec.State.Status === 'paused') { this.schedule(id, w); return; }
    let result: HealthResult;
    try { result = await this.runProbe(rec, w.probe); } catch (err) {
      if (w.stopped || rec.State.Status !== 'running') return;
      const now = new Date().toISOString();
      result = { Start: now, End: now, ExitCode: -1, Output: errorMessage(err) };
    }
    if (w.stopped || !this.record(id)) return;
    const before = rec.State.Health ?? { Status: 'starting', FailingStreak: 0, Log: [] } satisfies HealthState;
    const after = applyResult(before, result, w.probe, w.startedAt);
    rec.State.Health = after;
    await this.opts.containers.store.save(rec).catch(() => undefined);
    if (after.Status !== before.Status) {
      this.opts.events.publish('container', `health_status: ${after.Status}`, rec.Id, this.opts.containers.attributes(rec));
      if (after.Status === 'unhealthy') { this.onUnhealthy(rec); if (onFailureAction(rec.Config.Labels) !== 'none') return; }
    }
    this.schedule(id, w);
  }

  /** The probe as an exec: stdout and stderr together, the first 4 KiB kept; killed at the timeout. */
  private async runProbe(rec: ContainerRecord, probe: Probe): Promise<HealthResult> {
    const exec = this.opts.exec;
    const start = new Date();
    const { Id } = exec.create(rec.Id, { Cmd: probe.argv, AttachStdout: true, AttachStderr: true });
    const started = await exec.start(Id);
    const chunks: Buffer[] = [];
    let size = 0;
    const take = (c: Buffer) => { if (size < MAX_OUTPUT_BYTES) { chunks.push(c); size += c.length; } };
    started.process.stdout.on('data', take);
    started.process.stderr?.on('data', take);
    started.process.stdin.end();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), probe.timeoutMs); });
    const outcome = await Promise.race([started.done, timedOut]);
    clearTimeout(timer);
    const end = new Date().toISOString();
    if (outcome === 'timeout') {
      started.process.kill();
      return { Start: start.toISOString(), End: end, ExitCode: -1, Output: `Health check exceeded timeout (${goDuration(probe.timeoutMs)})` };
    }
    const output = Buffer.concat(chunks).subarray(0, MAX_OUTPUT_BYTES).toString('utf8');
    return { Start: start.toISOString(), End: end, ExitCode: outcome.exitCode, Output: outcome.startError ? outcome.startError : output };
  }

  private onUnhealthy(rec: ContainerRecord): void {
    const action = onFailureAction(rec.Config.Labels);
    if (action === 'none') return;
    log.info('container unhealthy; acting on its health label', { id: rec.Id.slice(0, 12), action });
    const c = this.opts.containers;
    const done = action === 'restart' ? c.restart(rec.Id) : action === 'stop' ? c.stop(rec.Id) : c.kill(rec.Id);
    done.catch((err) => { if (!isBerthError(err, 'not-modified')) log.warn('health on-failure action failed', { id: rec.Id, action, err: errorMessage(err) }); });
  }
}
