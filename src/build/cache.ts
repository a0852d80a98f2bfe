// Docker's classic build cache: a step is a hit when an image with the same parent was made by the same
// step config (the `container_config` Docker records: the `#(nop)` text or the RUN command with the build
// args in effect, COPY's source hash, plus the whole run config). With `--cache-from`, only those images
// (and their ancestors) count, matched by history as Docker does, and rebuilt as local images on a hit.
import type { ImageService } from '../images/image-service.js';
import type { ImageConfigJson, ImageRecord } from '../model/image.js';
import { cacheKeyOf, type RunConfig } from './run-config.js';

export class BuildCache {
  /** parent ID ('' for none) → children, filled once per build and kept up to date as steps commit. */
  private children?: Map<string, ImageRecord[]>;

  constructor(private readonly images: ImageService, private readonly disabled: boolean, private readonly sources: ImageRecord[]) {}

  private index(): Map<string, ImageRecord[]> {
    if (!this.children) {
      this.children = new Map();
      for (const rec of this.images.store.records()) this.add(rec);
    }
    return this.children;
  }

  /** Makes a freshly committed step image findable by the stages building after it. */
  add(rec: ImageRecord): void {
    if (!this.children) return;
    const key = rec.parent ?? '';
    const list = this.children.get(key) ?? [];
    if (!list.some((r) => r.id === rec.id)) list.push(rec);
    this.children.set(key, list);
  }

  async probe(parent: ImageRecord | undefined, probe: RunConfig): Promise<ImageRecord | undefined> {
    if (this.disabled) return undefined;
    const local = this.local(parent, probe);
    if (this.sources.length === 0) return local;
    if (local && this.sources.some((s) => this.isAncestor(local.id, s))) return local;
    return await this.fromSources(parent, probe);
  }

  private local(parent: ImageRecord | undefined, probe: RunConfig): ImageRecord | undefined {
    const key = cacheKeyOf(probe);
    let best: ImageRecord | undefined;
    for (const rec of this.index().get(parent?.id ?? '') ?? []) {
      const cc = rec.config.container_config as RunConfig | undefined;
      if (!cc || !this.images.store.has(rec.id) || cacheKeyOf(cc) !== key) continue;
      if (!best || (rec.config.created ?? '') > (best.config.created ?? '')) best = rec;
    }
    return best;
  }

  private isAncestor(id: string, of: ImageRecord): boolean {
    let cur: ImageRecord | undefined = of;
    for (let i = 0; cur && i < 1000; i++) {
      if (cur.id === id) return true;
      cur = cur.parent ? this.images.store.record(cur.parent) : undefined;
    }
    return false;
  }

  /** Docker's cache-from match: the source's history starts with the parent's and the next row is this step. */
  private async fromSources(parent: ImageRecord | undefined, probe: RunConfig): Promise<ImageRecord | undefined> {
    const ph = parent?.config.history ?? [];
    const pd = parent?.config.rootfs.diff_ids ?? [];
    for (const target of this.sources) {
      const th = target.config.history ?? [];
      const td = target.config.rootfs.diff_ids;
      if (th.length <= ph.length || td.length < pd.length) continue;
      if (!ph.every((h, i) => JSON.stringify(h) === JSON.stringify(th[i])) || !pd.every((d, i) => d === td[i])) continue;
      if (th[ph.length].created_by !== (probe.Cmd ?? []).join(' ')) continue;
      if (th.length - 1 === ph.length) return target;
      // Rebuild the intermediate image from the target's own layers, as Docker's restoreCachedImage does.
      const next = th[ph.length];
      const layersBefore = th.slice(0, ph.length).filter((h) => !h.empty_layer).length;
      const diffIds = next.empty_layer ? [...pd] : [...pd, td[layersBefore]];
      const config: ImageConfigJson = {
        architecture: target.config.architecture, os: target.config.os, config: probe, container_config: probe,
        created: next.created, docker_version: 'berth', history: [...ph, next], rootfs: { type: 'layers', diff_ids: diffIds },
        ...(target.config.author ? { author: target.config.author } : {}),
      };
      const rec = await this.images.commitImage(Buffer.from(JSON.stringify(config)), undefined, parent?.id);
      this.sources.splice(0, this.sources.length, target); // stay on one source, as Docker does
      return rec;
    }
    return undefined;
  }
}
