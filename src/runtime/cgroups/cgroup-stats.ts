// Raw counters of a container's cgroup, read from v1 (stats-v1.ts) or v2 (stats-v2.ts) files into one
// shape; the engine turns them into Docker's stats JSON. Files are kernel-made, read asynchronously.
import { cgroupVersion } from './cgroup-fs.js';
import { readStatsV1 } from './stats-v1.js';
import { readStatsV2 } from './stats-v2.js';

export interface BlkioEntry { major: number; minor: number; op: string; value: number }

export interface CgroupStats {
  cpu: {
    /** Nanoseconds. */
    total: number; user: number; system: number;
    /** Per CPU, nanoseconds (v1 only; empty on v2 as in Docker). */
    percpu: number[];
    periods: number; throttledPeriods: number; throttledTime: number;
  };
  memory: {
    usage: number; maxUsage?: number; failcnt?: number;
    /** Undefined when unlimited. */
    limit?: number;
    stats: Record<string, number>;
  };
  pids: { current: number; limit?: number };
  blkio: { serviceBytes: BlkioEntry[]; serviced: BlkioEntry[] };
  /** memory.events (v2) `oom_kill`, or v1 memory.oom_control `oom_kill`. */
  oomKills: number;
}

export function readCgroupStats(cgroupPath: string): Promise<CgroupStats> {
  return cgroupVersion() === 2 ? readStatsV2(cgroupPath) : readStatsV1(cgroupPath);
}
