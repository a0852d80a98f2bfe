// Image store service: resolve, list, inspect, tag, remove, load, save, import, history, prune.
// The stores live under <dataRoot>/image: blobs (content store), layers (unpacked by chainID), imagedb and
// repositories.json (image records and references); their state is ImageBackend (image-backend.ts).
// Operations with real logic live in their own files, written against ImageBackend.
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { notFound } from '../errors.js';
import { log } from '../util/log.js';
import { chainIds } from '../storage/digest.js';
import { displayRef, matchReferenceGlob } from './reference.js';
import { canSeedBusybox, buildBusyboxLayer, busyboxConfig } from './busybox-seed.js';
import type { ImageProvider, ImageRecord } from '../model/image.js';
import { summary, inspect, history, filterImages, createdNanos, type Filters, type HistoryItem, type ImageSummary } from './image-views.js';
import { deleteImage, pruneImages, tagImage, collectGarbage, type DeleteItem, type PruneResult } from './image-delete.js';
import { saveImages } from './image-save.js';
import { loadFromSpool } from './image-load.js';
import { TarSpool } from './tar-spool.js';
import { importImage, type ImportOptions } from './image-import.js';
import type { ProgressMessage } from './progress.js';
import { ImageBackend, type ImageServiceOptions } from './image-backend.js';
import { createImage, type CreateImageOptions } from './image-create.js';

export type { ImageServiceOptions };

export class ImageService extends ImageBackend implements ImageProvider {
  async init(): Promise<void> {
    // Leftovers of a crash mid-import: partial blobs, half-unpacked layers, spooled archives.
    await this.content.cleanTemp();
    await this.layers.cleanTemp();
    await rm(join(this.root, 'tmp'), { recursive: true, force: true });
    await this.store.load();
    if (this.opts.seedBusybox !== false) await this.seedBusybox();
  }

  private async seedBusybox(): Promise<void> {
    if (this.store.refTarget('busybox:latest') || !canSeedBusybox()) return;
    try {
      const layer = await buildBusyboxLayer();
      const { Readable } = await import('node:stream');
      const lease = this.lease();
      try {
        const [info] = await this.addLayers([Readable.from([layer])], lease);
        const record = await this.commitImage(busyboxConfig(layer), [info]);
        await this.store.setRef('busybox:latest', record.id);
      } finally {
        lease.release();
      }
      log.info('seeded busybox:latest from the host busybox-static');
    } catch (err) {
      log.warn('could not seed busybox:latest', { err: String(err) });
    }
  }

  // ---- operations (the API routes call these) ----

  /** GET /images/json. `reference` filters also narrow the tags shown, as Docker does. */
  list(opts: { all?: boolean; digests?: boolean; filters?: Filters } = {}): ImageSummary[] {
    const f = opts.filters ?? {};
    const resolveCreated = (ref: string) => {
      const id = this.findId(ref);
      const rec = id ? this.store.record(id) : undefined;
      if (!rec) throw notFound(`No such image: ${displayRef(ref)}`);
      return createdNanos(rec);
    };
    const all = this.store.records();
    const parents = new Set(all.map((r) => r.parent).filter(Boolean));
    // Without `all`, untagged parents (intermediate build images) stay hidden, as in Docker.
    const visible = opts.all ? all : all.filter((r) => r.repoTags.length > 0 || r.repoDigests.length > 0 || !parents.has(r.id));
    const recs = filterImages(visible, f, { resolveCreated });
    return recs
      .map((rec) => {
        const s = summary(rec);
        if (f.reference?.length) {
          const narrowed = s.RepoTags.filter((t) => f.reference.some((p) => matchReferenceGlob(p, t)));
          if (narrowed.length) s.RepoTags = narrowed;
        }
        return s;
      })
      .sort((a, b) => b.Created - a.Created || a.Id.localeCompare(b.Id));
  }

  async inspect(ref: string): Promise<Record<string, unknown>> {
    const rec = await this.resolve(ref);
    return inspect(rec, await this.layerDirs(rec));
  }

  async history(ref: string): Promise<HistoryItem[]> {
    const rec = await this.resolve(ref);
    const sizes = await Promise.all(chainIds(rec.config.rootfs.diff_ids).map(async (c) => (await this.layers.info(c)).size));
    return history(rec, sizes);
  }

  async tag(src: string, repo: string, tag: string): Promise<void> {
    await tagImage(this, src, repo, tag);
  }

  async remove(ref: string, force: boolean, noprune: boolean): Promise<DeleteItem[]> {
    return await deleteImage(this, ref, force, !noprune);
  }

  async prune(filters: Filters): Promise<PruneResult> {
    return await pruneImages(this, filters);
  }

  /** Removes layers and blobs no image uses; call only once containers are loaded (imagesInUse is right). */
  async collectGarbage(): Promise<void> {
    await collectGarbage(this);
  }

  /** Spools the archive first (so a bad upload is a plain HTTP error), then imports and reports via `emit`. */
  async spoolArchive(body: Readable): Promise<TarSpool> {
    return await TarSpool.fromStream(body, join(this.root, 'tmp'));
  }

  async loadSpool(spool: TarSpool, quiet: boolean, emit: (m: ProgressMessage) => void): Promise<string[]> {
    try { return await loadFromSpool(this, spool, quiet, emit); } finally { await spool.remove(); }
  }

  async save(names: string[]): Promise<Readable> {
    return await saveImages(this, names);
  }

  async importTar(body: Readable, opts: ImportOptions, emit: (m: ProgressMessage) => void): Promise<ImageRecord> {
    return await importImage(this, body, opts, emit);
  }

  /** A child image of `base` (or a new base image): for `docker commit` and the builder. See image-create.ts. */
  async createImage(opts: CreateImageOptions): Promise<ImageRecord> {
    return await createImage(this, opts);
  }

  /** For GET /system/df: unique layer bytes, and every image with its shared size and container count. */
  async diskUsage(): Promise<{ LayersSize: number; Images: ImageSummary[] }> {
    const recs = this.store.records();
    const chainUse = new Map<string, number>();
    const chainSize = new Map<string, number>();
    for (const rec of recs) {
      for (const c of chainIds(rec.config.rootfs.diff_ids)) {
        chainUse.set(c, (chainUse.get(c) ?? 0) + 1);
        if (!chainSize.has(c)) chainSize.set(c, this.layers.has(c) ? (await this.layers.info(c)).size : 0);
      }
    }
    let layersSize = 0;
    for (const size of chainSize.values()) layersSize += size;
    const images = recs.map((rec) => {
      const s = summary(rec, this.users(rec.id).length);
      s.SharedSize = chainIds(rec.config.rootfs.diff_ids).reduce((n, c) => n + ((chainUse.get(c) ?? 0) > 1 ? chainSize.get(c) ?? 0 : 0), 0);
      return s;
    });
    return { LayersSize: layersSize, Images: images };
  }
}

export { displayRef } from './reference.js';
