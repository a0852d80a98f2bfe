// Where a container's cgroup lives: cgroup v1 (one hierarchy per controller, this host's hybrid layout)
// or the unified v2 hierarchy. Berth's containers sit at /berth/<id> (runc's cgroupsPath).
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const CGROUP_ROOT = '/sys/fs/cgroup';

export type CgroupVersion = 1 | 2;

let version: CgroupVersion | undefined;
/** v2 when /sys/fs/cgroup itself is the unified hierarchy; v1 (or hybrid) otherwise. */
export function cgroupVersion(): CgroupVersion {
  version ??= existsSync(join(CGROUP_ROOT, 'cgroup.controllers')) ? 2 : 1;
  return version;
}

/** The directory of a v1 controller (`memory`, `cpuacct`...) or the v2 directory for a cgroup path. */
export function cgroupDir(cgroupPath: string, controller?: string): string {
  const rel = cgroupPath.replace(/^\/+/, '');
  return cgroupVersion() === 2 || !controller ? join(CGROUP_ROOT, rel) : join(CGROUP_ROOT, controller, rel);
}

export async function readText(path: string): Promise<string | undefined> {
  try { return await readFile(path, 'utf8'); } catch { return undefined; }
}

export async function readNumber(path: string): Promise<number | undefined> {
  const t = (await readText(path))?.trim();
  if (t === undefined || t === '' || t === 'max') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** `key value` lines (memory.stat, cpu.stat) as numbers. */
export function parseFlatKeyed(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

/** Whether this host's cgroups can enforce a block I/O weight (v1 blkio.weight / bfq, v2 io.weight). */
export function hostHasBlkioWeight(): boolean {
  if (cgroupVersion() === 2) return existsSync(join(CGROUP_ROOT, 'io.weight')) || controllersV2().includes('io');
  return ['blkio.weight', 'blkio.bfq.weight'].some((f) => existsSync(join(CGROUP_ROOT, 'blkio', f)));
}

function controllersV2(): string[] {
  try { return readFileSync(join(CGROUP_ROOT, 'cgroup.controllers'), 'utf8').trim().split(/\s+/); } catch { return []; }
}

/** Whether v1 memory has swap accounting (memory.memsw.*); v2 has memory.swap.max when swap is on. */
export function hostHasSwapLimit(): boolean {
  if (cgroupVersion() === 2) return true;
  return existsSync(join(CGROUP_ROOT, 'memory', 'memory.memsw.limit_in_bytes'));
}
