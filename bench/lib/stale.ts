// Leftovers of an earlier benchmark run that was killed outright (SIGKILL, a crashed shell) and so never
// tore down: its scratch directory names the run's pid in owner.pid. When that process is gone, its
// daemons and helpers (found by the directory in their command line) are killed by pid, its mounts
// unmounted, and the directory and dockerd's cgroup parent removed. Containers go first, through runc.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dockerCgroupParent, removeCgroupParent } from './cgroups.js';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { enginePids } from './memory.js';
import { bridgesOf, removeBridge } from './bridge.js';

const PREFIX = 'berth-bench-';
/** Where each engine keeps runc state, relative to a run's scratch directory (see engines/). */
const RUNTIME_ROOTS = ['docker/exec/runtime-runc/moby', 'berth/exec/runc'];

export function markOwner(workDir: string): void {
  writeFileSync(join(workDir, 'owner.pid'), String(process.pid));
}

/** Whether the run that owns a directory still runs: not gone, not a zombie, and still the benchmark. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('bench/run.js');
  } catch {
    return false;
  }
}

/** Cleans up after dead earlier runs; returns the directories it removed. */
export function sweepStaleRuns(): string[] {
  const removed: string[] = [];
  for (const name of readdirSync('/tmp').filter((n) => n.startsWith(PREFIX))) {
    const dir = join('/tmp', name);
    const ownerFile = join(dir, 'owner.pid');
    if (!existsSync(ownerFile)) continue;
    const owner = Number(readFileSync(ownerFile, 'utf8'));
    if (!owner || alive(owner)) continue;
    sweepRunDir(dir, owner);
    removed.push(dir);
  }
  return removed;
}

/**
 * Everything of one run, by force: its containers through runc, its helpers by pid, its mounts, its
 * directory, dockerd's cgroup parent and its bridges. Also used by a run on itself when its own teardown
 * ran out of time (the hard limit).
 */
export function sweepRunDir(dir: string, owner: number): void {
  // Containers first (runc kills their processes and removes their cgroups), then the helpers.
  for (const root of RUNTIME_ROOTS.map((r) => join(dir, r))) {
    if (!existsSync(root)) continue;
    const ls = spawnSync('runc', ['--root', root, 'list', '-q'], { encoding: 'utf8', timeout: 10_000 });
    for (const id of (ls.stdout ?? '').split('\n').filter(Boolean)) spawnSync('runc', ['--root', root, 'delete', '--force', id], { timeout: 10_000 });
  }
  for (const p of enginePids(-1, dir)) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } }
  const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(dir + '/'));
  for (const m of mounts.reverse()) spawnSync('umount', ['-l', m], { timeout: 10_000 });
  rmSync(dir, { recursive: true, force: true });
  removeCgroupParent(dockerCgroupParent(owner));
  for (const b of bridgesOf(owner)) removeBridge(b);
}
