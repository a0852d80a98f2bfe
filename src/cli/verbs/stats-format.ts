// The numbers of `docker stats` computed from the daemon's stats JSON as the docker CLI does (CPU % from
// the difference with precpu_stats; memory without the inactive file cache), and its table row.
import { bytesSize, humanSize } from '../format/units.js';

export interface StatsJson {
  id: string;
  name: string;
  read: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes: number; tx_bytes: number }>;
  blkio_stats?: { io_service_bytes_recursive?: Array<{ op: string; value: number }> | null };
  pids_stats?: { current?: number };
}

export interface StatsRow { id: string; name: string; cpu: number; mem: number; limit: number; memPercent: number; netRx: number; netTx: number; blkRead: number; blkWrite: number; pids: number }

export function cpuPercent(s: StatsJson): number {
  const cpuDelta = (s.cpu_stats?.cpu_usage?.total_usage ?? 0) - (s.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const sysDelta = (s.cpu_stats?.system_cpu_usage ?? 0) - (s.precpu_stats?.system_cpu_usage ?? 0);
  const online = s.cpu_stats?.online_cpus || s.cpu_stats?.cpu_usage?.percpu_usage?.length || 0;
  return sysDelta > 0 && cpuDelta > 0 ? (cpuDelta / sysDelta) * online * 100 : 0;
}

/** Usage minus the inactive page cache (cgroup v1 `total_inactive_file`, v2 `inactive_file`). */
export function memoryUsage(s: StatsJson): number {
  const usage = s.memory_stats?.usage ?? 0;
  const st = s.memory_stats?.stats ?? {};
  const inactive = st.total_inactive_file ?? st.inactive_file;
  return inactive !== undefined && inactive < usage ? usage - inactive : usage;
}

export function statsRow(s: StatsJson): StatsRow {
  const mem = memoryUsage(s);
  const limit = s.memory_stats?.limit ?? 0;
  let netRx = 0; let netTx = 0; let blkRead = 0; let blkWrite = 0;
  for (const n of Object.values(s.networks ?? {})) { netRx += n.rx_bytes; netTx += n.tx_bytes; }
  for (const b of s.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = b.op.toLowerCase();
    if (op === 'read') blkRead += b.value; else if (op === 'write') blkWrite += b.value;
  }
  return {
    id: s.id, name: s.name.replace(/^\//, ''), cpu: cpuPercent(s), mem, limit, memPercent: limit ? (mem / limit) * 100 : 0,
    netRx, netTx, blkRead, blkWrite, pids: s.pids_stats?.current ?? 0,
  };
}

export const STATS_HEADER = ['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS'];

export function statsCells(r: StatsRow, noTrunc = false): string[] {
  return [
    noTrunc ? r.id : r.id.slice(0, 12), r.name, `${r.cpu.toFixed(2)}%`, `${bytesSize(r.mem)} / ${bytesSize(r.limit)}`,
    `${r.memPercent.toFixed(2)}%`, `${humanSize(r.netRx, 3)} / ${humanSize(r.netTx, 3)}`, `${humanSize(r.blkRead, 3)} / ${humanSize(r.blkWrite, 3)}`, String(r.pids),
  ];
}
