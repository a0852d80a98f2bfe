// Docker's stats JSON (GET /containers/{id}/stats) from two samples of a container's counters: the
// current one and the previous (precpu_stats), as the docker CLI computes CPU % from their difference.
import { cpus, totalmem } from 'node:os';
import type { CgroupStats } from '../../runtime/cgroups/cgroup-stats.js';
import type { NetDev } from '../../runtime/proc-stats.js';

export interface StatsSample {
  read: Date;
  cgroup: CgroupStats;
  /** Host CPU time, nanoseconds. */
  systemCpu: number;
  networks: Record<string, NetDev>;
  cgroupVersion: 1 | 2;
}

const ZERO = '0001-01-01T00:00:00Z';

function cpuStats(s: StatsSample | undefined): Record<string, unknown> {
  if (!s) return { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } };
  const c = s.cgroup.cpu;
  return {
    cpu_usage: {
      total_usage: c.total,
      ...(s.cgroupVersion === 1 && c.percpu.length ? { percpu_usage: c.percpu } : {}),
      usage_in_kernelmode: c.system,
      usage_in_usermode: c.user,
    },
    system_cpu_usage: s.systemCpu,
    online_cpus: cpus().length,
    throttling_data: { periods: c.periods, throttled_periods: c.throttledPeriods, throttled_time: c.throttledTime },
  };
}

function memoryStats(s: StatsSample): Record<string, unknown> {
  const m = s.cgroup.memory;
  // Without a limit Docker reports the host's memory, which is what the container may use.
  const host = totalmem();
  const limit = m.limit !== undefined && m.limit < host ? m.limit : host;
  return {
    usage: m.usage,
    ...(s.cgroupVersion === 1 ? { max_usage: m.maxUsage ?? 0 } : {}),
    stats: m.stats,
    ...(m.failcnt ? { failcnt: m.failcnt } : {}),
    limit,
  };
}

function blkioStats(s: StatsSample | undefined): Record<string, unknown> {
  const empty = s?.cgroupVersion === 2 ? null : [];
  return {
    io_service_bytes_recursive: s ? s.cgroup.blkio.serviceBytes : empty,
    io_serviced_recursive: s ? s.cgroup.blkio.serviced : empty,
    io_queue_recursive: empty, io_service_time_recursive: empty, io_wait_time_recursive: empty,
    io_merged_recursive: empty, io_time_recursive: empty, sectors_recursive: empty,
  };
}

/** One stats object; `cur` undefined for a container that is not running (Docker's zero values). */
export function statsJson(id: string, name: string, cur: StatsSample | undefined, pre: StatsSample | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {
    read: cur ? cur.read.toISOString() : ZERO,
    preread: pre ? pre.read.toISOString() : ZERO,
    pids_stats: cur ? { current: cur.cgroup.pids.current, ...(cur.cgroup.pids.limit !== undefined ? { limit: cur.cgroup.pids.limit } : {}) } : {},
    blkio_stats: blkioStats(cur),
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuStats(cur),
    precpu_stats: cpuStats(pre),
    memory_stats: cur ? memoryStats(cur) : {},
    name,
    id,
  };
  if (cur && Object.keys(cur.networks).length) out.networks = cur.networks;
  return out;
}
