// cgroup v1 counters: cpuacct (usage, per CPU, user/system ticks), cpu.stat (throttling), memory.*,
// pids.*, blkio.throttle.* (the only blkio counters every v1 kernel has).
import { cgroupDir, parseFlatKeyed, readNumber, readText } from './cgroup-fs.js';
import type { BlkioEntry, CgroupStats } from './stats-types.js';

/** USER_HZ: cpuacct.stat counts in clock ticks of 1/100 s on Linux. */
const TICK_NS = 1e7;
/** v1 reports "no limit" as a page-rounded LONG_MAX. */
const V1_UNLIMITED = 2 ** 62;

export function parseBlkioV1(text: string | undefined): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const m = /^(\d+):(\d+) (\w+) (\d+)$/.exec(line.trim());
    if (m) out.push({ major: Number(m[1]), minor: Number(m[2]), op: m[3], value: Number(m[4]) });
  }
  return out;
}

export async function readStatsV1(path: string): Promise<CgroupStats> {
  const acct = cgroupDir(path, 'cpuacct');
  const cpu = cgroupDir(path, 'cpu');
  const mem = cgroupDir(path, 'memory');
  const pids = cgroupDir(path, 'pids');
  const blkio = cgroupDir(path, 'blkio');
  const [total, percpu, acctStat, cpuStat, usage, maxUsage, limit, failcnt, memStat, oomControl, pidsCur, pidsMax, bytes, ios] = await Promise.all([
    readNumber(`${acct}/cpuacct.usage`), readText(`${acct}/cpuacct.usage_percpu`), readText(`${acct}/cpuacct.stat`),
    readText(`${cpu}/cpu.stat`), readNumber(`${mem}/memory.usage_in_bytes`), readNumber(`${mem}/memory.max_usage_in_bytes`),
    readNumber(`${mem}/memory.limit_in_bytes`), readNumber(`${mem}/memory.failcnt`), readText(`${mem}/memory.stat`),
    readText(`${mem}/memory.oom_control`), readNumber(`${pids}/pids.current`), readNumber(`${pids}/pids.max`),
    readText(`${blkio}/blkio.throttle.io_service_bytes_recursive`), readText(`${blkio}/blkio.throttle.io_serviced_recursive`),
  ]);
  const ticks = parseFlatKeyed(acctStat);
  const throttle = parseFlatKeyed(cpuStat);
  return {
    cpu: {
      total: total ?? 0, user: (ticks.user ?? 0) * TICK_NS, system: (ticks.system ?? 0) * TICK_NS,
      percpu: (percpu ?? '').trim().split(/\s+/).filter(Boolean).map(Number),
      periods: throttle.nr_periods ?? 0, throttledPeriods: throttle.nr_throttled ?? 0, throttledTime: throttle.throttled_time ?? 0,
    },
    memory: {
      usage: usage ?? 0, maxUsage: maxUsage ?? 0, failcnt: failcnt ?? 0,
      limit: limit !== undefined && limit < V1_UNLIMITED ? limit : undefined,
      stats: parseFlatKeyed(memStat),
    },
    pids: { current: pidsCur ?? 0, ...(pidsMax !== undefined ? { limit: pidsMax } : {}) },
    blkio: { serviceBytes: parseBlkioV1(bytes), serviced: parseBlkioV1(ios) },
    oomKills: parseFlatKeyed(oomControl).oom_kill ?? 0,
  };
}
