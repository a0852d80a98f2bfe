// Which OCI runtimes work on this host: a runtime counts as available when its binary runs; crun is
// marked unusable on hybrid cgroup layouts with controllers on v2 (crun 1.8 refuses them).
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

/** A configured OCI runtime (daemon.json `runtimes`). */
export interface RuntimeEntry { path: string; runtimeArgs?: string[] }

export interface RuntimeStatus { name: string; path: string; version?: string; usable: boolean; reason?: string }

export type CgroupLayout = 'v1' | 'v2' | 'hybrid';

export function cgroupLayout(): CgroupLayout {
  if (existsSync('/sys/fs/cgroup/cgroup.controllers')) return 'v2';
  if (existsSync('/sys/fs/cgroup/unified')) return 'hybrid';
  return 'v1';
}

function hybridV2HasControllers(): boolean {
  try { return readFileSync('/sys/fs/cgroup/unified/cgroup.controllers', 'utf8').trim().length > 0; } catch { return false; }
}

const cache = new Map<string, RuntimeStatus>();

export function probeRuntime(name: string, path: string): RuntimeStatus {
  const hit = cache.get(name + path);
  if (hit) return hit;
  let status: RuntimeStatus;
  if (!existsSync(path)) status = { name, path, usable: false, reason: `${path} not found` };
  else {
    const r = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 5000 });
    const version = (r.stdout || '').split('\n')[0]?.trim();
    status = { name, path, version, usable: r.status === 0 };
    if (name === 'crun' && cgroupLayout() === 'hybrid' && hybridV2HasControllers()) {
      status = { ...status, usable: false, reason: 'crun refuses hybrid cgroups with controllers on cgroup v2' };
    }
  }
  cache.set(name + path, status);
  return status;
}

export function probeRuntimes(cfg: { runtimes: Record<string, RuntimeEntry> }): RuntimeStatus[] {
  return Object.entries(cfg.runtimes).map(([name, r]) => probeRuntime(name, r.path));
}
