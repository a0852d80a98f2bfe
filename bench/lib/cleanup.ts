// Teardown that runs however the benchmark ends: normally, on an error, or on Ctrl-C/SIGTERM. Steps run
// newest first, each bounded, and a failing step does not stop the others.
type Step = { name: string; fn: () => Promise<void> };

const steps: Step[] = [];
let running: Promise<void> | undefined;
let interrupted = false;

/** True once a signal asked the run to stop: results of a cut-short run are not written. */
export function wasInterrupted(): boolean { return interrupted; }

export function onCleanup(name: string, fn: () => Promise<void>): void {
  steps.push({ name, fn });
}

export function runCleanup(log: (msg: string) => void): Promise<void> {
  running ??= (async () => {
    while (steps.length > 0) {
      const step = steps.pop()!;
      try {
        await Promise.race([step.fn(), new Promise((_, rej) => setTimeout(() => rej(new Error('timed out after 60 s')), 60_000).unref())]);
      } catch (err) {
        log(`cleanup ${step.name}: ${(err as Error).message}`);
      }
    }
  })();
  return running;
}

/** On SIGINT/SIGTERM: clean up, then exit with the signal's conventional status. */
export function cleanupOnSignals(log: (msg: string) => void): void {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      interrupted = true;
      log(`${sig}: cleaning up`);
      void runCleanup(log).finally(() => process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1)));
    });
  }
}
