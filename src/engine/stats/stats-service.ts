// GET /containers/{id}/stats behind the API: one answer (at once when the container is watched, with the
// background sample as precpu_stats; else two samples COLD_GAP_MS apart; or `one-shot` with no precpu)
// or a stream, one object a second, each with the previous.
import type { ContainerService } from '../containers/container-service.js';
import type { ContainerRecord } from '../../model/container.js';
import { statsJson, type StatsSample } from './stats-json.js';
import { COLD_GAP_MS, SAMPLE_INTERVAL_MS, StatsSampler, takeSample } from './stats-sampler.js';

export class StatsService {
  readonly sampler: StatsSampler;

  constructor(private readonly containers: ContainerService) {
    this.sampler = new StatsSampler((id) => containers.store.get(id));
  }

  init(): void { this.sampler.start(); }

  private live(rec: ContainerRecord): boolean {
    return rec.State.Status === 'running' || rec.State.Status === 'paused';
  }

  private async sample(rec: ContainerRecord): Promise<StatsSample | undefined> {
    if (!this.live(rec)) return undefined;
    try { return await takeSample(rec); } catch { return undefined; }
  }

  async once(rec: ContainerRecord, oneShot: boolean): Promise<Record<string, unknown>> {
    if (oneShot) return statsJson(rec.Id, rec.Name, await this.sample(rec), undefined);
    let pre = this.sampler.watch(rec.Id);
    if (!pre && this.live(rec)) {
      pre = await this.sample(rec);
      await new Promise((r) => setTimeout(r, COLD_GAP_MS));
    }
    const cur = await this.sample(rec);
    return statsJson(rec.Id, rec.Name, cur, cur ? pre : undefined);
  }

  /** Writes one object a second until `closed` says stop; the first has the background sample as precpu. */
  async stream(rec: ContainerRecord, write: (obj: Record<string, unknown>) => boolean, closed: () => boolean): Promise<void> {
    let pre = this.sampler.watch(rec.Id);
    while (!closed()) {
      this.sampler.watch(rec.Id);
      const current = this.containers.store.get(rec.Id) ?? rec;
      const cur = await this.sample(current);
      if (closed()) return;
      write(statsJson(current.Id, current.Name, cur, cur ? pre : undefined));
      pre = cur;
      if (!this.containers.store.get(rec.Id)) return; // removed: the stream ends, as Docker's does
      await new Promise((r) => setTimeout(r, SAMPLE_INTERVAL_MS));
    }
  }
}
