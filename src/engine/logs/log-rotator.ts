// Rotation of container logs with max-size and max-file > 1: when the live file nears max-size it is
// renamed to `<log>.1` (older ones shift up, the oldest falls off) and conmon is told on its control
// fifo to reopen the log (message 2). conmon gets no --log-size-max here (it truncates the live file in
// place, losing what a burst wrote before the rename); it keeps it only for max-file=1 and `none`.
import { constants } from 'node:fs';
import { watch, type FSWatcher } from 'node:fs';
import { open, rename, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errorMessage } from '../../errors.js';
import { log } from '../../util/log.js';
import type { ContainerService } from '../containers/container-service.js';
import { policyOf, type LogConfig } from './log-config.js';
import { rotatedPath } from './log-view.js';

/** Rotate well before conmon would truncate the file, so a burst between two checks is not lost. */
const ROTATE_AT = 0.5;

interface Watch { watcher: FSWatcher; queued: boolean; busy: boolean }

export class LogRotator {
  private readonly watches = new Map<string, Watch>();

  constructor(private readonly opts: { containers: ContainerService }) {}

  init(): void {
    // The container service's own run signals (explicit), not the public event stream.
    const life = this.opts.containers.lifecycle;
    life.on('start', (id: string) => this.follow(id));
    for (const end of ['exit', 'remove']) life.on(end, (id: string) => this.unfollow(id));
    for (const rec of this.opts.containers.store.all()) if (rec.State.Status === 'running' || rec.State.Status === 'paused') this.follow(rec.Id);
  }

  private follow(id: string): void {
    const rec = this.opts.containers.store.get(id);
    if (!rec || this.watches.has(id)) return;
    const policy = policyOf(rec.HostConfig.LogConfig as LogConfig | undefined);
    if (!policy.maxSize || policy.maxFile < 2) return;
    const path = this.opts.containers.paths.log(id);
    const ctl = join(this.opts.containers.paths.bundle(id), 'ctl');
    const name = basename(path);
    const w: Watch = { busy: false, queued: false, watcher: watch(dirname(path), (_e, f) => { if (f === name) schedule(); }) };
    w.watcher.on('error', () => undefined);
    // One size check at a time; events during a check queue exactly one more.
    const schedule = () => {
      if (w.queued) return;
      w.queued = true;
      setImmediate(() => { w.queued = false; void this.check(path, ctl, policy.maxSize!, policy.maxFile, w).then((again) => { if (again) schedule(); }); });
    };
    this.watches.set(id, w);
    schedule();
  }

  private unfollow(id: string): void {
    const w = this.watches.get(id);
    if (!w) return;
    w.watcher.close();
    this.watches.delete(id);
  }

  /** Rotates if due; true when it was busy and should look again. */
  private async check(path: string, ctl: string, maxSize: number, maxFile: number, w: Watch): Promise<boolean> {
    if (w.busy) return true;
    w.busy = true;
    try {
      const size = await stat(path).then((s) => s.size, () => 0);
      if (size < maxSize * ROTATE_AT) return false;
      for (let n = maxFile - 1; n >= 2; n--) await rename(rotatedPath(path, n - 1), rotatedPath(path, n)).catch(() => undefined);
      await rename(path, rotatedPath(path, 1));
      await reopenLog(ctl);
      return false;
    } catch (err) {
      log.warn('log rotation failed', { path, err: errorMessage(err) });
    } finally {
      w.busy = false;
    }
    return false;
  }
}

/** conmon's control fifo: `2` makes it reopen (recreate) its log file. */
async function reopenLog(ctl: string): Promise<void> {
  const fh = await open(ctl, constants.O_WRONLY | constants.O_NONBLOCK);
  try { await fh.write('2 0 0\n'); } finally { await fh.close(); }
}
