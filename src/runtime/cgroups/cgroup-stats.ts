// Raw counters of a container's cgroup, read from v1 (stats-v1.ts) or v2 (stats-v2.ts) files into one
// shape; the engine turns them into Docker's stats JSON. Files are kernel-made, read asynchronously.
import { cgroupVersion } from './cgroup-fs.js';
import { readStatsV1 } from './stats-v1.js';
import { readStatsV2 } from './stats-v2.js';

export type { BlkioEntry, CgroupStats } from './stats-types.js';
import type { CgroupStats } from './stats-types.js';

export function readCgroupStats(cgroupPath: string): Promise<CgroupStats> {
  return cgroupVersion() === 2 ? readStatsV2(cgroupPath) : readStatsV1(cgroupPath);
}
