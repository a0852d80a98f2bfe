// One job per key (a layer's chainID) however many pulls ask for it: later callers join the running job
// and get its progress messages from then on, so two clients pulling one image share one download.
export type Listener<M> = (m: M) => void;

interface Job<T, M> { promise: Promise<T>; listeners: Set<Listener<M>> }

export class SharedJobs<T, M> {
  private readonly jobs = new Map<string, Job<T, M>>();

  /** Runs `start` unless a job for `key` is running; `listener` hears that job's messages until it ends. */
  async join(key: string, listener: Listener<M>, start: (broadcast: Listener<M>) => Promise<T>): Promise<{ value: T; joined: boolean }> {
    let job = this.jobs.get(key);
    const joined = !!job;
    if (!job) {
      const listeners = new Set<Listener<M>>();
      const broadcast: Listener<M> = (m) => { for (const l of listeners) l(m); };
      const created: Job<T, M> = { listeners, promise: Promise.resolve().then(() => start(broadcast)) };
      created.promise.then(() => this.jobs.delete(key), () => this.jobs.delete(key));
      this.jobs.set(key, created);
      job = created;
    }
    job.listeners.add(listener);
    try {
      return { value: await job.promise, joined };
    } finally {
      job.listeners.delete(listener);
    }
  }
}
