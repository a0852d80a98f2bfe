// Memory the engine itself uses: the daemon, its descendants, and every process whose command line
// names the engine's own roots (containerd and its shims for Docker, conmons for Berth — they are
// re-parented to init, so the tree alone would miss them). Container workloads (`sleep`) are not counted.
// Two sums: VmRSS from /proc/<pid>/status (what `ps` shows; shared binary text counted once per process)
// and Pss from /proc/<pid>/smaps_rollup (shared pages split among their users; sums to real use).
import { readdirSync, readFileSync } from 'node:fs';

export interface MemorySample { rssMB: number; pssMB: number; processes: Array<{ pid: number; name: string; rssKB: number }> }

function read(path: string): string | undefined {
  try { return readFileSync(path, 'utf8'); } catch { return undefined; }
}

function kbField(text: string | undefined, field: string): number {
  const m = text && new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

export interface ProcInfo { pid: number; ppid: number; cmdline: string; name: string }

function listProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const stat = read(`/proc/${d}/stat`);
    if (!stat) continue;
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    if (fields[0] === 'Z') continue;
    const cmdline = (read(`/proc/${d}/cmdline`) ?? '').split('\0').join(' ').trim();
    out.push({ pid: Number(d), ppid: Number(fields[1]), cmdline, name: stat.slice(stat.indexOf('(') + 1, close) });
  }
  return out;
}

/** Monitors whose children are the containers themselves: counted, but not descended into. */
const MONITOR = /^(containerd-shim|conmon)/;

/**
 * The engine's processes: `rootPid`, its descendants, and processes whose command line contains `marker`
 * (each unique to this run's roots). Descent stops at a container monitor, so workloads are not counted.
 */
export function enginePids(rootPid: number, marker: string): ProcInfo[] {
  const all = listProcesses();
  const chosen = new Map<number, ProcInfo>();
  for (const p of all) if (p.pid === rootPid || (marker && p.cmdline.includes(marker))) chosen.set(p.pid, p);
  for (let pass = 0; pass < 10; pass++) {
    let added = 0;
    for (const p of all) {
      const parent = chosen.get(p.ppid);
      if (!chosen.has(p.pid) && parent && !MONITOR.test(parent.name)) { chosen.set(p.pid, p); added++; }
    }
    if (added === 0) break;
  }
  return [...chosen.values()];
}

export function measureMemory(procs: ProcInfo[]): MemorySample {
  let rss = 0;
  let pss = 0;
  const processes: MemorySample['processes'] = [];
  for (const p of procs) {
    const rssKB = kbField(read(`/proc/${p.pid}/status`), 'VmRSS');
    rss += rssKB;
    pss += kbField(read(`/proc/${p.pid}/smaps_rollup`), 'Pss');
    processes.push({ pid: p.pid, name: p.name, rssKB });
  }
  return { rssMB: rss / 1024, pssMB: pss / 1024, processes };
}

/** "dockerd×1 52 MB, containerd-shim×100 1310 MB" — which processes were counted, and their RSS. */
export function describeProcesses(s: MemorySample): string {
  const groups = new Map<string, { n: number; kb: number }>();
  for (const p of s.processes) {
    const g = groups.get(p.name) ?? { n: 0, kb: 0 };
    g.n++; g.kb += p.rssKB;
    groups.set(p.name, g);
  }
  return [...groups].sort((a, b) => b[1].kb - a[1].kb).map(([n, g]) => `${n}×${g.n} ${(g.kb / 1024).toFixed(0)} MB RSS`).join(', ');
}
