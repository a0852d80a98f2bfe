// The raw counters of a container's cgroup, in one shape for v1 and v2.

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
