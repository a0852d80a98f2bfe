// Docker's wait conditions, answered from the container service's life-cycle signals:
// `exit:<id>` (code) once an exit is fully handled, `remove:<id>` (code) once the container is gone.
import type { EventEmitter } from 'node:events';
import type { ContainerRecord } from '../../model/container.js';

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/** Resolves with the exit code of the current run (after its clean-up). */
export function nextExit(lifecycle: EventEmitter, id: string): Promise<number> {
  return new Promise((resolve) => lifecycle.once(`exit:${id}`, resolve));
}

function removed(lifecycle: EventEmitter, rec: ContainerRecord): Promise<number> {
  return new Promise((resolve) => lifecycle.once(`remove:${rec.Id}`, () => resolve(rec.State.ExitCode)));
}

/** The exit code once `condition` holds for `rec` (`running`: whether it runs now). */
export async function waitFor(lifecycle: EventEmitter, rec: ContainerRecord, condition: WaitCondition, running: boolean): Promise<number> {
  if (condition === 'removed') return removed(lifecycle, rec);
  if (condition === 'not-running' && !running) return rec.State.ExitCode;
  return Promise.race([nextExit(lifecycle, rec.Id), removed(lifecycle, rec)]);
}
