// Resource limits for containers. Berth inherits the daemon's own limits (the host has no
// CAP_SYS_RESOURCE: asking runc for more than the hard limit breaks every container), and clamps
// what the user asks for (--ulimit) to the daemon's hard limit, with a warning.
import { readFileSync } from 'node:fs';

export interface Rlimit { type: string; soft: number; hard: number }

const NAMES: Record<string, string> = {
  'Max cpu time': 'RLIMIT_CPU', 'Max file size': 'RLIMIT_FSIZE', 'Max data size': 'RLIMIT_DATA',
  'Max stack size': 'RLIMIT_STACK', 'Max core file size': 'RLIMIT_CORE', 'Max resident set': 'RLIMIT_RSS',
  'Max processes': 'RLIMIT_NPROC', 'Max open files': 'RLIMIT_NOFILE', 'Max locked memory': 'RLIMIT_MEMLOCK',
  'Max address space': 'RLIMIT_AS', 'Max file locks': 'RLIMIT_LOCKS', 'Max pending signals': 'RLIMIT_SIGPENDING',
  'Max msgqueue size': 'RLIMIT_MSGQUEUE', 'Max nice priority': 'RLIMIT_NICE', 'Max realtime priority': 'RLIMIT_RTPRIO',
  'Max realtime timeout': 'RLIMIT_RTTIME',
};

/** RLIMIT_* as 2^64-1 for "unlimited" (what the OCI spec expects). */
export const UNLIMITED = 2 ** 64 - 1;

/** Parses /proc/<pid>/limits text. */
export function parseProcLimits(text: string): Rlimit[] {
  const out: Rlimit[] = [];
  for (const line of text.split('\n').slice(1)) {
    const name = Object.keys(NAMES).find((n) => line.startsWith(n));
    if (!name) continue;
    const [soft, hard] = line.slice(name.length).trim().split(/\s+/);
    const num = (v: string) => (v === 'unlimited' ? UNLIMITED : Number(v));
    out.push({ type: NAMES[name], soft: num(soft), hard: num(hard) });
  }
  return out;
}

let cached: Rlimit[] | undefined;
export function daemonRlimits(): Rlimit[] {
  cached ??= parseProcLimits(readFileSync('/proc/self/limits', 'utf8'));
  return cached;
}

/** Docker's --ulimit name (nofile) to RLIMIT_NOFILE. */
export function rlimitType(name: string): string {
  return `RLIMIT_${name.toUpperCase()}`;
}

/**
 * The rlimits for a container: the daemon's RLIMIT_NOFILE and RLIMIT_NPROC (inherited values made
 * explicit), overridden by the user's ulimits, each clamped to the daemon's hard limit.
 */
export function containerRlimits(requested: Array<{ Name: string; Soft: number; Hard: number }>, daemon: Rlimit[]): { rlimits: Rlimit[]; warnings: string[] } {
  const warnings: string[] = [];
  const byType = new Map<string, Rlimit>();
  for (const r of daemon) if (r.type === 'RLIMIT_NOFILE' || r.type === 'RLIMIT_NPROC') byType.set(r.type, { ...r });
  for (const u of requested) {
    const type = rlimitType(u.Name);
    const ceiling = daemon.find((r) => r.type === type)?.hard ?? UNLIMITED;
    let { Soft: soft, Hard: hard } = u;
    if (hard > ceiling) {
      warnings.push(`ulimit ${u.Name} hard limit ${hard} is above the daemon's hard limit ${ceiling}; using ${ceiling}`);
      hard = ceiling;
    }
    if (soft > hard) soft = hard;
    byType.set(type, { type, soft, hard });
  }
  return { rlimits: [...byType.values()], warnings };
}
