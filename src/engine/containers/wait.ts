// Docker's wait conditions, answered from the container service's life-cycle signals:
// `exit:<id>` (code) once an exit is fully handled, `remove:<id>` (code) once the container is gone.
// A waiter whose client went away (its AbortSignal) takes its listeners with it.
import type { EventEmitter } from 'node:events';
import { BerthError } from '../../errors.js';
import type { ContainerRecord } from '../../model/container.js';

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/** Resolves with the exit code of the current run (after its clean-up). */
export function nextExit(lifecycle: EventEmitter, id: string): Promise<number> {
  return new Promise((resolve) => lifecycle.once(`exit:${id}`, resolve));
}

/** The first of `events` on `lifecycle` (its code), or a rejection when `signal` aborts; listeners always go. */
function firstOf(lifecycle: EventEmitter, events: string[], code: (arg: number) => number, signal?: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const done = () => { for (const e of events) lifecycle.off(e, on); signal?.removeEventListener('abort', onAbort); };
    const on = (arg: number) => { done(); resolve(code(arg)); };
    const onAbort = () => { done(); reject(new BerthError('unavailable', 'wait cancelled: the client went away')); };
    if (signal?.aborted) { reject(new BerthError('unavailable', 'wait cancelled: the client went away')); return; }
    for (const e of events) lifecycle.on(e, on);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The exit code once `condition` holds for `rec` (`running`: whether it runs now). */
export async function waitFor(lifecycle: EventEmitter, rec: ContainerRecord, condition: WaitCondition, running: boolean, signal?: AbortSignal): Promise<number> {
  if (condition === 'removed') return firstOf(lifecycle, [`remove:${rec.Id}`], () => rec.State.ExitCode, signal);
  if (condition === 'not-running' && !running) return rec.State.ExitCode;
  // Removal without an exit of this run (it had ended already) answers with the last exit code.
  return firstOf(lifecycle, [`exit:${rec.Id}`, `remove:${rec.Id}`], (code) => (typeof code === 'number' ? code : rec.State.ExitCode), signal);
}
