// Samples every running container's counters once a second, so a one-off `docker stats --no-stream`
// answers at once with a real CPU % (the previous sample is its precpu_stats) instead of waiting for a
// second sample as dockerd does (moby#28881). Streams read their own samples each second.
import { readCgroupStats } from '../../runtime/cgroups/cgroup-stats.js';
import { cgroupVersion } from '../../runtime/cgroups/cgroup-fs.js';
import { netDevOf, systemCpuUsage } from '../../runtime/proc-stats.js';
import type { ContainerRecord } from '../../model/container.js';
import type { StatsSample } from './stats-json.js';

export const SAMPLE_INTERVAL_MS = 1000;

export async function takeSample(rec: ContainerRecord): Promise<StatsSample> {
  const [cgroup, systemCpu, networks] = await Promise.all([
    readCgroupStats(`/berth/${rec.Id}`), systemCpuUsage(),
    rec.HostConfig.NetworkMode === 'host' ? Promise.resolve({}) : netDevOf(rec.State.Pid),
  ]);
  return { read: new Date(), cgroup, systemCpu, networks, cgroupVersion: cgroupVersion() };
}

export class StatsSampler {
  private readonly last = new Map<string, StatsSample>();
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(private readonly running: () => ContainerRecord[]) {}

  start(): void {
    this.timer = setInterval(() => { void this.tick(); }, SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void { if (this.timer) clearInterval(this.timer); }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const recs = this.running().filter((r) => r.State.Status === 'running' || r.State.Status === 'paused');
      const ids = new Set(recs.map((r) => r.Id));
      for (const id of this.last.keys()) if (!ids.has(id)) this.last.delete(id);
      await Promise.all(recs.map(async (r) => { try { this.last.set(r.Id, await takeSample(r)); } catch { /* exited meanwhile */ } }));
    } finally { this.busy = false; }
  }

  /** The latest background sample of a container (at most ~1 s old), if any. */
  previous(id: string): StatsSample | undefined {
    return this.last.get(id);
  }
}
