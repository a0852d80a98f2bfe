// Keeps a recent sample of the containers someone is watching, so a repeated `docker stats --no-stream`
// answers at once with a real CPU % (the previous sample is its precpu_stats) instead of waiting a second
// for a second sample as dockerd does (moby#28881). Only watched containers are sampled: sampling every
// running container each second cost berthd ~20 file reads per container per second, which at 500
// running was most of its CPU and slowed every start (issue 11's density row).
import { readCgroupStats } from '../../runtime/cgroups/cgroup-stats.js';
import { cgroupVersion } from '../../runtime/cgroups/cgroup-fs.js';
import { netDevOf, systemCpuUsage } from '../../runtime/proc-stats.js';
import type { ContainerRecord } from '../../model/container.js';
import type { StatsSample } from './stats-json.js';

export const SAMPLE_INTERVAL_MS = 1000;
/** A container stays watched this long after its stats were last asked for. */
export const WATCH_TTL_MS = 60_000;
/** A cold one-off answer waits this long between its two samples, so CPU % is still a real figure. */
export const COLD_GAP_MS = 250;

export async function takeSample(rec: ContainerRecord): Promise<StatsSample> {
  const [cgroup, networks] = await Promise.all([
    readCgroupStats(`/berth/${rec.Id}`),
    rec.HostConfig.NetworkMode === 'host' ? Promise.resolve({}) : netDevOf(rec.State.Pid),
  ]);
  // The host's CPU time right after the cgroup's, not beside it: read in parallel, the two could be
  // milliseconds apart, which skews CPU % over a short window (a busy loop read as 50-76 %).
  const systemCpu = await systemCpuUsage();
  return { read: new Date(), cgroup, systemCpu, networks, cgroupVersion: cgroupVersion() };
}

export class StatsSampler {
  private readonly last = new Map<string, StatsSample>();
  /** Container id → when its stats were last asked for. */
  private readonly watched = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(private readonly lookup: (id: string) => ContainerRecord | undefined,
              private readonly now: () => number = Date.now) {}

  start(): void {
    this.timer = setInterval(() => { void this.tick(); }, SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void { if (this.timer) clearInterval(this.timer); }

  /** Marks a container as watched and returns its latest background sample (at most ~1 s old), if any. */
  watch(id: string): StatsSample | undefined {
    this.watched.set(id, this.now());
    return this.last.get(id);
  }

  /** Ids sampled on the next tick; drops the ones nobody asked about for WATCH_TTL_MS. */
  due(): string[] {
    const cutoff = this.now() - WATCH_TTL_MS;
    for (const [id, at] of this.watched) if (at < cutoff) { this.watched.delete(id); this.last.delete(id); }
    return [...this.watched.keys()];
  }

  private async tick(): Promise<void> {
    if (this.busy || this.watched.size === 0) return;
    this.busy = true;
    try {
      await Promise.all(this.due().map(async (id) => {
        const rec = this.lookup(id);
        if (!rec || (rec.State.Status !== 'running' && rec.State.Status !== 'paused')) { this.last.delete(id); return; }
        try { this.last.set(id, await takeSample(rec)); } catch { /* exited meanwhile */ }
      }));
    } finally { this.busy = false; }
  }
}
