// A container's resource limits in one typed shape, and their OCI `linux.resources` form (what runc
// writes to cgroup v1 or v2 files, at create and on `runc update`). Pure.

export interface Limits {
  memory?: number;
  /** Memory + swap, bytes; -1 unlimited. */
  memorySwap?: number;
  memoryReservation?: number;
  /** 0..100; undefined leaves the kernel default. */
  memorySwappiness?: number;
  oomKillDisable?: boolean;
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  /** > 0 a limit; -1 unlimited (0 leaves it as is). */
  pidsLimit?: number;
  blkioWeight?: number;
}

export interface OciResources {
  memory?: { limit?: number; reservation?: number; swap?: number; swappiness?: number; disableOOMKiller?: boolean };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string; mems?: string };
  pids?: { limit: number };
  blockIO?: { weight: number };
}

export function ociResources(l: Limits): OciResources {
  const out: OciResources = {};
  const mem: NonNullable<OciResources['memory']> = {};
  if (l.memory) mem.limit = l.memory;
  if (l.memoryReservation) mem.reservation = l.memoryReservation;
  if (l.memorySwap) mem.swap = l.memorySwap;
  if (l.memorySwappiness !== undefined && l.memorySwappiness >= 0) mem.swappiness = l.memorySwappiness;
  if (l.oomKillDisable) mem.disableOOMKiller = true;
  if (Object.keys(mem).length) out.memory = mem;
  const cpu: NonNullable<OciResources['cpu']> = {};
  if (l.cpuShares) cpu.shares = l.cpuShares;
  if (l.cpuQuota) cpu.quota = l.cpuQuota;
  if (l.cpuPeriod) cpu.period = l.cpuPeriod;
  if (l.cpusetCpus) cpu.cpus = l.cpusetCpus;
  if (l.cpusetMems) cpu.mems = l.cpusetMems;
  if (Object.keys(cpu).length) out.cpu = cpu;
  if (l.pidsLimit && l.pidsLimit !== 0) out.pids = { limit: l.pidsLimit > 0 ? l.pidsLimit : -1 };
  if (l.blkioWeight) out.blockIO = { weight: l.blkioWeight };
  return out;
}
