// dockerd runs the benchmark's containers under a cgroup parent named for the run
// (berth-bench-docker-<pid>) in every v1 hierarchy. Removing it at the end: any process still inside
// belongs to this run's containers and is killed by pid, then the directories go, deepest first.
import { readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

export function dockerCgroupParent(ownerPid: number): string {
  return `berth-bench-docker-${ownerPid}`;
}

function killAndRemove(dir: string): void {
  let entries;
  try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return; }
  for (const e of entries) if (e.isDirectory()) killAndRemove(join(dir, e.name));
  try {
    for (const pid of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
      try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
    }
  } catch { /* no procs file */ }
  // A killed process leaves its cgroup a moment later; a few bounded tries.
  for (let i = 0; i < 20; i++) {
    try { rmdirSync(dir); return; } catch { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25); }
  }
}

export function removeCgroupParent(name: string): void {
  for (const ctrl of readdirSync('/sys/fs/cgroup')) killAndRemove(join('/sys/fs/cgroup', ctrl, name));
}
