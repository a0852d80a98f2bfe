// Docker's restart policies (HostConfig.RestartPolicy) carried out: after an exit the container waits
// in `restarting` for Docker's back-off delay (restart-backoff.ts), then starts again; stop and rm cancel
// the wait; a manual start forgets the back-off; and when berthd starts, stopped containers whose
// policy says so come back (`always` even if the user stopped them, `unless-stopped` only if not).
import { errorMessage } from '../../errors.js';
import { log } from '../../util/log.js';
import type { ContainerRecord } from '../../model/container.js';
import { policyRestarts, RestartTimers } from './restart-backoff.js';

export interface RestartHooks {
  /** Starts the container again (under its lock) if it is still waiting to; counts the restart. */
  restartNow(rec: ContainerRecord): Promise<void>;
}

export class RestartSupervisor {
  private readonly timers = new RestartTimers();

  constructor(private readonly hooks: RestartHooks) {}

  /** Whether the policy restarts a container that just exited with `exitCode` (not stopped by the user). */
  restarts(rec: ContainerRecord, exitCode: number): boolean {
    return policyRestarts({ policy: rec.HostConfig.RestartPolicy, exitCode, restartCount: rec.RestartCount, manuallyStopped: !!rec.HasBeenManuallyStopped });
  }

  /** Starts the wait of a container set `restarting` at its exit; it restarts after the back-off delay. */
  schedule(rec: ContainerRecord, ranMs: number): void {
    if (rec.State.Status !== 'restarting') return;
    this.timers.schedule(rec.Id, ranMs, () => {
      void this.hooks.restartNow(rec).catch((err) => log.warn('restart failed', { id: rec.Id, err: errorMessage(err) }));
    });
  }

  /** Stop or rm of a container waiting to restart: no restart, it is simply exited. True if it was waiting. */
  cancel(rec: ContainerRecord): boolean {
    const waiting = rec.State.Status === 'restarting';
    this.timers.cancel(rec.Id);
    if (waiting) rec.State.Status = 'exited';
    return waiting;
  }

  /** A start the user asked for: the back-off starts over. */
  reset(id: string): void { this.timers.reset(id); }

  /** Docker's daemon restore: should this stopped container be started now that berthd is up? */
  onDaemonStart(rec: ContainerRecord): boolean {
    if (!rec.HasBeenStartedBefore || rec.RemovalInProgress) return false;
    const policy = rec.HostConfig.RestartPolicy;
    // A user's stop cancels `always` only until the daemon restarts, as in Docker.
    const manuallyStopped = policy?.Name === 'always' ? false : !!rec.HasBeenManuallyStopped;
    return policyRestarts({ policy, exitCode: rec.State.ExitCode, restartCount: rec.RestartCount, manuallyStopped });
  }
}
