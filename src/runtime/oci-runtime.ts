// The OCI runtime CLI (runc/crun): start a created container, delete it, ask its state.
import { open, readFile, rmdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { BerthError, internal } from '../errors.js';
import { CommandFailed, runCommand } from '../util/run-command.js';
import { processAlive } from '../util/process-alive.js';

export interface RuntimeRef { path: string; root: string }

/** The runtime has no such container (already deleted); still a 500 when it reaches the API. */
export class NotInRuntime extends BerthError {
  constructor(message: string) { super('internal', message); }
}

async function run(rt: RuntimeRef, args: string[]): Promise<string> {
  try {
    return (await runCommand(rt.path, ['--root', rt.root, ...args], { timeoutMs: 30_000 })).stdout;
  } catch (err) {
    const detail = err instanceof CommandFailed ? err.detail : String(err);
    const message = `${rt.path} ${args[0]}: ${detail}`;
    // The runtime's own words are decoded here, once, into a type.
    throw /does not exist|not found/i.test(detail) ? new NotInRuntime(message) : internal(message);
  }
}

export const runtimeStart = (rt: RuntimeRef, id: string): Promise<string> => run(rt, ['start', id]);
export const runtimePause = (rt: RuntimeRef, id: string): Promise<string> => run(rt, ['pause', id]);
export const runtimeResume = (rt: RuntimeRef, id: string): Promise<string> => run(rt, ['resume', id]);

/** Removes the runtime's state and cgroup of a stopped container; never fails on "does not exist". */
export async function runtimeDelete(rt: RuntimeRef, id: string): Promise<void> {
  await run(rt, ['delete', '--force', id]).catch((err: unknown) => {
    if (!(err instanceof NotInRuntime)) throw err;
  });
}

export async function runtimeState(rt: RuntimeRef, id: string): Promise<{ status: string; pid: number } | undefined> {
  try {
    const out = JSON.parse(await run(rt, ['state', id])) as { status: string; pid: number };
    return out;
  } catch { return undefined; }
}

// ---- fast paths for runc (each saves a runtime process spawn on the `docker run` path) ----


/**
 * Starts a created runc container the way `runc start` does: read the container's exec fifo (its init
 * blocks writing to it) and remove the fifo. Falls back to `runtime start` when there is no fifo.
 */
export async function runtimeStartFast(rt: RuntimeRef & { name: string }, id: string): Promise<void> {
  if (rt.name !== 'runc') { await runtimeStart(rt, id); return; }
  const fifo = join(rt.root, id, 'exec.fifo');
  let fh;
  try { fh = await open(fifo, 'r'); } catch { await runtimeStart(rt, id); return; }
  try {
    const { bytesRead, buffer } = await fh.read(Buffer.alloc(1), 0, 1, null);
    if (bytesRead !== 1 || buffer[0] !== 0x30) throw internal('runc container did not start (exec fifo)');
  } finally {
    await fh.close();
  }
  await unlink(fifo).catch(() => undefined);
}

interface RuncState { init_process_pid?: number; cgroup_paths?: Record<string, string> }

/**
 * Deletes a runc container whose init has exited, as `runc delete` does: remove its cgroups and its
 * state directory. Anything unexpected (processes left in the cgroup) falls back to `runc delete --force`.
 */
export async function runtimeDeleteFast(rt: RuntimeRef & { name: string }, id: string): Promise<void> {
  if (rt.name !== 'runc') { await runtimeDelete(rt, id); return; }
  const dir = join(rt.root, id);
  if (!existsSync(dir)) return; // already deleted
  let state: RuncState;
  try { state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as RuncState; } catch { await runtimeDelete(rt, id); return; }
  const pid = state.init_process_pid ?? 0;
  if (processAlive(pid)) { await runtimeDelete(rt, id); return; }
  try {
    await Promise.all(Object.values(state.cgroup_paths ?? {}).map((p) => rmdir(p).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    })));
  } catch {
    await runtimeDelete(rt, id);
    return;
  }
  await rm(dir, { recursive: true, force: true });
}
