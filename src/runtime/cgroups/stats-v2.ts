// cgroup v2 counters: cpu.stat (microseconds), memory.current/max/stat/events, pids.*, io.stat.
import { cgroupDir, parseFlatKeyed, readNumber, readText } from './cgroup-fs.js';
import type { BlkioEntry, CgroupStats } from './stats-types.js';

/** io.stat rows (`8:0 rbytes=1 wbytes=2 rios=3 wios=4 ...`) as Docker's v2 blkio entries. */
export function parseIoStat(text: string | undefined): { serviceBytes: BlkioEntry[]; serviced: BlkioEntry[] } {
  const serviceBytes: BlkioEntry[] = [];
  const serviced: BlkioEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const [dev, ...kvs] = line.trim().split(/\s+/);
    const m = /^(\d+):(\d+)$/.exec(dev ?? '');
    if (!m) continue;
    const v = Object.fromEntries(kvs.map((kv) => kv.split('=')).map(([k, n]) => [k, Number(n)]));
    const at = { major: Number(m[1]), minor: Number(m[2]) };
    serviceBytes.push({ ...at, op: 'read', value: v.rbytes ?? 0 }, { ...at, op: 'write', value: v.wbytes ?? 0 });
    serviced.push({ ...at, op: 'read', value: v.rios ?? 0 }, { ...at, op: 'write', value: v.wios ?? 0 });
  }
  return { serviceBytes, serviced };
}

export async function readStatsV2(path: string): Promise<CgroupStats> {
  const dir = cgroupDir(path);
  const [cpuStat, current, peak, max, memStat, events, pidsCur, pidsMax, io] = await Promise.all([
    readText(`${dir}/cpu.stat`), readNumber(`${dir}/memory.current`), readNumber(`${dir}/memory.peak`), readNumber(`${dir}/memory.max`),
    readText(`${dir}/memory.stat`), readText(`${dir}/memory.events`), readNumber(`${dir}/pids.current`), readNumber(`${dir}/pids.max`),
    readText(`${dir}/io.stat`),
  ]);
  const c = parseFlatKeyed(cpuStat);
  return {
    cpu: {
      total: (c.usage_usec ?? 0) * 1000, user: (c.user_usec ?? 0) * 1000, system: (c.system_usec ?? 0) * 1000, percpu: [],
      periods: c.nr_periods ?? 0, throttledPeriods: c.nr_throttled ?? 0, throttledTime: (c.throttled_usec ?? 0) * 1000,
    },
    memory: { usage: current ?? 0, ...(peak !== undefined ? { maxUsage: peak } : {}), limit: max, stats: parseFlatKeyed(memStat) },
    pids: { current: pidsCur ?? 0, ...(pidsMax !== undefined ? { limit: pidsMax } : {}) },
    blkio: parseIoStat(io),
    oomKills: parseFlatKeyed(events).oom_kill ?? 0,
  };
}
