// New images on top of existing ones, for `docker commit` and the builder: optionally one more layer (a tar,
// e.g. from packDiff of a container's upper dir), the run config, one history entry, the parent recorded.
import type { Readable } from 'node:stream';
import type { ImageBackend } from './image-backend.js';
import { goArch } from './busybox-seed.js';
import { normalizeTagged } from './reference.js';
import { chainIds } from '../storage/digest.js';
import type { HistoryEntry, ImageConfigJson, ImageRecord, ImageRunConfig } from '../model/image.js';

export interface CreateImageOptions {
  /** The image to build on; none for a first layer (FROM scratch). */
  base?: ImageRecord;
  /** The new layer (plain or gzip tar); omit for a config-only step (history gets empty_layer). */
  layer?: Readable;
  /** The run config of the new image (replaces the base's). */
  config: ImageRunConfig;
  /** `created_by` / `comment` / `author` of the new history entry. */
  history?: Omit<HistoryEntry, 'created' | 'empty_layer'>;
  author?: string;
  comment?: string;
  /** Tag to point at the result (`name[:tag]`). */
  tag?: string;
  /** Docker's `container_config` (what the build step ran: the classic builder's cache key) and `container`. */
  containerConfig?: ImageRunConfig;
  container?: string;
  /** Record `base` as the parent (Docker does for commit and classic build). Default true. */
  recordParent?: boolean;
}

export async function createImage(svc: ImageBackend, opts: CreateImageOptions): Promise<ImageRecord> {
  const tag = opts.tag ? normalizeTagged(opts.tag) : undefined;
  const base = opts.base?.config;
  const lease = svc.lease();
  try {
    const baseDiffs = base?.rootfs.diff_ids ?? [];
    // The base's layers must outlive a concurrent `rmi` of the base until the child is recorded.
    lease.add(...chainIds(baseDiffs), ...baseDiffs);
    if (opts.base) await svc.layerDirs(opts.base); // throws when a base layer is gone
    let diffIds = baseDiffs;
    if (opts.layer) {
      const parentChain = chainIds(baseDiffs).pop() ?? null;
      const info = await svc.layers.add(parentChain, opts.layer);
      lease.add(info.chainId, info.diffId);
      diffIds = [...baseDiffs, info.diffId];
    }
    const created = new Date().toISOString();
    const config: ImageConfigJson = {
      architecture: base?.architecture ?? goArch(),
      ...(opts.author ?? base?.author ? { author: opts.author ?? base?.author } : {}),
      ...(opts.comment ? { comment: opts.comment } : {}),
      config: opts.config,
      ...(opts.container ? { container: opts.container } : {}),
      ...(opts.containerConfig ? { container_config: opts.containerConfig } : {}),
      created,
      docker_version: 'berth',
      history: [...(base?.history ?? []), { created, ...opts.history, ...(opts.layer ? {} : { empty_layer: true }) }],
      os: base?.os ?? 'linux',
      rootfs: { type: 'layers', diff_ids: diffIds },
      ...(base?.variant ? { variant: base.variant } : {}),
    };
    const parent = opts.base && opts.recordParent !== false ? opts.base.id : undefined;
    const rec = await svc.commitImage(Buffer.from(JSON.stringify(config)), undefined, parent);
    if (tag) {
      await svc.setTag(tag, rec.id);
      svc.publish('tag', rec.id, tag);
    }
    return svc.store.record(rec.id) ?? rec;
  } finally {
    lease.release();
  }
}
