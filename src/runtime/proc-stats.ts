// Host-side counters the stats need besides the cgroup: the host's CPU time (/proc/stat), and a
// container's interface counters (/proc/<pid>/net/dev, the view of its network namespace).
import { readFile } from 'node:fs/promises';

export interface NetDev {
  rx_bytes: number; rx_packets: number; rx_errors: number; rx_dropped: number;
  tx_bytes: number; tx_packets: number; tx_errors: number; tx_dropped: number;
}

/** USER_HZ on Linux. */
const CLOCK_TICKS = 100;

/** Docker's system_cpu_usage: user..softirq of the `cpu` row of /proc/stat, in nanoseconds. */
export function parseSystemCpu(text: string): number {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return 0;
  const ticks = line.trim().split(/\s+/).slice(1, 8).reduce((a, v) => a + Number(v), 0);
  return (ticks * 1e9) / CLOCK_TICKS;
}

export async function systemCpuUsage(): Promise<number> {
  return parseSystemCpu(await readFile('/proc/stat', 'utf8').catch(() => ''));
}

export function parseNetDev(text: string): Record<string, NetDev> {
  const out: Record<string, NetDev> = {};
  for (const line of text.split('\n').slice(2)) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const name = line.slice(0, i).trim();
    if (name === 'lo') continue;
    const v = line.slice(i + 1).trim().split(/\s+/).map(Number);
    out[name] = {
      rx_bytes: v[0], rx_packets: v[1], rx_errors: v[2], rx_dropped: v[3],
      tx_bytes: v[8], tx_packets: v[9], tx_errors: v[10], tx_dropped: v[11],
    };
  }
  return out;
}

export async function netDevOf(pid: number): Promise<Record<string, NetDev>> {
  if (!pid) return {};
  return parseNetDev(await readFile(`/proc/${pid}/net/dev`, 'utf8').catch(() => ''));
}
