// The OCI runtime CLI (runc/crun): start a created container, delete it, ask its state.
import { execFile } from 'node:child_process';
import { internal } from '../errors.js';

export interface RuntimeRef { path: string; root: string }

function run(rt: RuntimeRef, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(rt.path, ['--root', rt.root, ...args], { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(internal(`${rt.path} ${args[0]}: ${(stderr || err.message).trim()}`));
      else resolve(stdout);
    });
  });
}

export const runtimeStart = (rt: RuntimeRef, id: string): Promise<string> => run(rt, ['start', id]);

/** Removes the runtime's state and cgroup of a stopped container; never fails on "does not exist". */
export async function runtimeDelete(rt: RuntimeRef, id: string): Promise<void> {
  await run(rt, ['delete', '--force', id]).catch((err: Error) => {
    if (!/does not exist|not found/i.test(err.message)) throw err;
  });
}

export async function runtimeState(rt: RuntimeRef, id: string): Promise<{ status: string; pid: number } | undefined> {
  try {
    const out = JSON.parse(await run(rt, ['state', id])) as { status: string; pid: number };
    return out;
  } catch { return undefined; }
}
