// The resource fields of a HostConfig: Docker's checks and defaults at create and on update (wording
// from moby's daemon_unix.go), and the typed Limits that runtime/cgroups applies.
import { cpus } from 'node:os';
import { conflict, invalidArgument } from '../../errors.js';
import type { Limits } from '../../runtime/cgroups/resources.js';
import { hostHasBlkioWeight, hostHasSwapLimit } from '../../runtime/cgroups/cgroup-fs.js';

/** Docker's HostConfig resource fields. */
export interface ResourceFields {
  Memory?: number;
  MemorySwap?: number;
  MemoryReservation?: number;
  MemorySwappiness?: number | null;
  OomKillDisable?: boolean | null;
  NanoCpus?: number;
  CpuShares?: number;
  CpuPeriod?: number;
  CpuQuota?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  PidsLimit?: number | null;
  BlkioWeight?: number;
}

const MIN_MEMORY = 6 * 1024 * 1024;
const DEFAULT_PERIOD = 100_000;

function parseCpuList(v: string): number[] | undefined {
  const out: number[] = [];
  for (const part of v.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return undefined;
    const a = Number(m[1]); const b = m[2] !== undefined ? Number(m[2]) : a;
    if (b < a) return undefined;
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}

function checkCpuset(kind: 'cpus' | 'mems', v: string | undefined, available: number): void {
  if (!v) return;
  const list = parseCpuList(v);
  if (!list) throw invalidArgument(`Invalid value ${v} for cpuset ${kind}`);
  const max = kind === 'cpus' ? available : 1;
  if (list.some((c) => c >= max)) throw invalidArgument(`Requested ${kind === 'cpus' ? 'CPUs' : 'memory nodes'} are not available - requested ${v}, available: ${max === 1 ? '0' : `0-${max - 1}`}`);
}

/**
 * Checks the resource fields and fills Docker's defaults in place (MemorySwap twice the memory when
 * unset; a discarded blkio weight where the host cannot apply it); returns Docker's warnings.
 */
export function normalizeResources(r: ResourceFields): string[] {
  const warnings: string[] = [];
  const memory = r.Memory ?? 0;
  const swap = r.MemorySwap ?? 0;
  if (memory < 0 || (memory !== 0 && memory < MIN_MEMORY)) throw invalidArgument('Minimum memory limit allowed is 6MB');
  if (memory > 0 && swap > 0 && swap < memory) throw invalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage');
  if (memory === 0 && swap > 0) throw invalidArgument('You should always set the Memory limit when using Memoryswap limit, see usage');
  const sw = r.MemorySwappiness;
  if (sw !== undefined && sw !== null && sw !== -1 && (sw < 0 || sw > 100)) throw invalidArgument(`Invalid value: ${sw}, valid memory swappiness range is 0-100`);
  const resv = r.MemoryReservation ?? 0;
  if (resv !== 0 && resv < MIN_MEMORY) throw invalidArgument('Minimum memory reservation allowed is 6MB');
  if (memory > 0 && resv > 0 && memory < resv) throw invalidArgument('Minimum memory limit can not be less than memory reservation limit, see usage');
  if (memory > 0 && swap === 0) {
    if (hostHasSwapLimit()) r.MemorySwap = memory * 2;
    else warnings.push('Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.');
  }
  if (r.OomKillDisable && memory === 0) warnings.push('OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.');
  const n = cpus().length;
  const nano = r.NanoCpus ?? 0;
  if (nano > 0 && r.CpuPeriod) throw invalidArgument('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (nano > 0 && r.CpuQuota) throw invalidArgument('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  if (nano < 0 || nano > n * 1e9) throw invalidArgument(`Range of CPUs is from 0.01 to ${n}.00, as there are only ${n} CPUs available`);
  if (r.CpuPeriod && (r.CpuPeriod < 1000 || r.CpuPeriod > 1_000_000)) throw invalidArgument('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1 second (i.e. 1000000)');
  if (r.CpuQuota && r.CpuQuota > 0 && r.CpuQuota < 1000) throw invalidArgument('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  if (r.CpuShares && r.CpuShares < 0) throw invalidArgument('invalid CPU shares: must be positive');
  checkCpuset('cpus', r.CpusetCpus, n);
  checkCpuset('mems', r.CpusetMems, n);
  const bw = r.BlkioWeight ?? 0;
  if (bw > 0 && (bw < 10 || bw > 1000)) throw invalidArgument('Range of blkio weight is from 10 to 1000');
  if (bw > 0 && !hostHasBlkioWeight()) {
    warnings.push('Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.');
    r.BlkioWeight = 0;
  }
  // Docker keeps 0 and negative as "unlimited" (shown as the value given; null when never set).
  if (r.PidsLimit !== undefined && r.PidsLimit !== null && r.PidsLimit < 0) r.PidsLimit = -1;
  return warnings;
}

export function limitsOf(r: ResourceFields): Limits {
  const nano = r.NanoCpus ?? 0;
  const sw = r.MemorySwappiness;
  return {
    memory: r.Memory || undefined,
    memorySwap: r.MemorySwap || undefined,
    memoryReservation: r.MemoryReservation || undefined,
    memorySwappiness: sw !== undefined && sw !== null && sw >= 0 ? sw : undefined,
    oomKillDisable: !!r.OomKillDisable,
    cpuShares: r.CpuShares || undefined,
    cpuQuota: nano > 0 ? Math.round((nano * DEFAULT_PERIOD) / 1e9) : r.CpuQuota || undefined,
    cpuPeriod: nano > 0 ? DEFAULT_PERIOD : r.CpuPeriod || undefined,
    cpusetCpus: r.CpusetCpus || undefined,
    cpusetMems: r.CpusetMems || undefined,
    pidsLimit: r.PidsLimit ?? undefined,
    blkioWeight: r.BlkioWeight || undefined,
  };
}

export const UPDATABLE = ['Memory', 'MemorySwap', 'MemoryReservation', 'NanoCpus', 'CpuShares', 'CpuPeriod', 'CpuQuota', 'CpusetCpus', 'CpusetMems', 'PidsLimit', 'BlkioWeight'] as const;

/**
 * Docker's update merge (container.UpdateContainer): the new values over the old, with its rules for
 * memory against the swap already set, and NanoCpus against a period/quota. Returns the merged fields.
 */
export function mergeUpdate(current: ResourceFields, update: ResourceFields, id: string): ResourceFields {
  const out: ResourceFields = { ...current };
  const cannot = (msg: string) => conflict(`Cannot update container ${id}: ${msg}`);
  if (update.NanoCpus) {
    if (current.CpuPeriod && !update.CpuPeriod) throw cannot('Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set');
    if (current.CpuQuota && !update.CpuQuota) throw cannot('Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set');
    out.NanoCpus = update.NanoCpus; out.CpuPeriod = 0; out.CpuQuota = 0;
  }
  if ((update.CpuPeriod || update.CpuQuota) && current.NanoCpus && !update.NanoCpus) {
    throw cannot('Conflicting options: Nano CPUs cannot be updated as CPU Period/Quota has already been set');
  }
  if (update.CpuPeriod) out.CpuPeriod = update.CpuPeriod;
  if (update.CpuQuota) out.CpuQuota = update.CpuQuota;
  if (update.CpuShares) out.CpuShares = update.CpuShares;
  if (update.CpusetCpus) out.CpusetCpus = update.CpusetCpus;
  if (update.CpusetMems) out.CpusetMems = update.CpusetMems;
  if (update.Memory) {
    if (update.Memory > (current.MemorySwap ?? 0) && !update.MemorySwap) {
      throw cannot('Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
    }
    out.Memory = update.Memory;
  }
  if (update.MemorySwap) out.MemorySwap = update.MemorySwap;
  if (update.MemoryReservation) out.MemoryReservation = update.MemoryReservation;
  if (update.PidsLimit !== undefined && update.PidsLimit !== null && update.PidsLimit !== 0) out.PidsLimit = update.PidsLimit;
  if (update.BlkioWeight) out.BlkioWeight = update.BlkioWeight;
  return out;
}
