// Docker's restart manager (moby restartmanager): whether a container that exited starts again under
// its policy, and after what delay: 100 ms, doubling on each restart up to a minute, back to 100 ms once
// a run lasted 10 s. A container the user stopped is not restarted (and `unless-stopped` ones stay
// stopped across berthd restarts). Pure, plus one timer per container in RestartTimers.

export const FIRST_DELAY_MS = 100;
export const MAX_DELAY_MS = 60_000;
export const RESET_AFTER_MS = 10_000;

export interface PolicyInput {
  policy: { Name?: string; MaximumRetryCount?: number } | undefined;
  exitCode: number;
  restartCount: number;
  manuallyStopped: boolean;
}

/** Docker's ShouldRestart decision (without the delay). */
export function policyRestarts(i: PolicyInput): boolean {
  const name = i.policy?.Name ?? 'no';
  if (i.manuallyStopped) return false;
  if (name === 'always' || name === 'unless-stopped') return true;
  if (name === 'on-failure') {
    const max = i.policy?.MaximumRetryCount ?? 0;
    return i.exitCode !== 0 && (max === 0 || i.restartCount < max);
  }
  return false;
}

/** The next delay after a run of `ranMs`, given the previous delay (0 before the first restart). */
export function nextDelay(previousMs: number, ranMs: number): number {
  const prev = ranMs >= RESET_AFTER_MS ? 0 : previousMs;
  return prev === 0 ? FIRST_DELAY_MS : Math.min(prev * 2, MAX_DELAY_MS);
}

/** Whether berthd, starting up, should start a stopped container again (Docker's daemon restore). */
export function restartsOnDaemonStart(policy: PolicyInput['policy'], manuallyStopped: boolean, exitCode: number, restartCount: number): boolean {
  return policyRestarts({ policy, exitCode, restartCount, manuallyStopped });
}

/** Pending restarts, one per container, so stop/rm can cancel the wait. */
export class RestartTimers {
  private readonly delays = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  /** Schedules `fn` after Docker's delay for this container; returns the delay. */
  schedule(id: string, ranMs: number, fn: () => void): number {
    this.cancel(id);
    const delay = nextDelay(this.delays.get(id) ?? 0, ranMs);
    this.delays.set(id, delay);
    const t = setTimeout(() => { this.timers.delete(id); fn(); }, delay);
    this.timers.set(id, t);
    return delay;
  }

  pending(id: string): boolean { return this.timers.has(id); }

  /** Cancels a pending restart; true if there was one. */
  cancel(id: string): boolean {
    const t = this.timers.get(id);
    if (!t) return false;
    clearTimeout(t);
    this.timers.delete(id);
    return true;
  }

  /** Forgets the back-off (a manual start or removal). */
  reset(id: string): void {
    this.cancel(id);
    this.delays.delete(id);
  }
}
