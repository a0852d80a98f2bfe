// A counting semaphore: at most `n` transfers at once across every pull (or push) of the daemon.
export class Limiter {
  private active = 0;
  private readonly queue: Array<() => void> = [];
  constructor(private readonly n: number) {}

  async run<T>(fn: () => Promise<T>, onWait?: () => void): Promise<T> {
    if (this.active >= this.n) {
      onWait?.();
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await fn();
    } finally {
      const next = this.queue.shift();
      if (next) next(); else this.active--;
    }
  }
}

/** Emits at most one message per `ms` per key, plus whatever is forced. */
export function throttle(ms: number): (key: string, force?: boolean) => boolean {
  const last = new Map<string, number>();
  return (key, force = false) => {
    const now = Date.now();
    if (!force && now - (last.get(key) ?? 0) < ms) return false;
    last.set(key, now);
    return true;
  };
}
