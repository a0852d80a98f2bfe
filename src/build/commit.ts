// `docker commit`: a container's writable layer becomes a new layer on its image (an empty change gives
// an empty_layer history row, as Docker), with `--change` instructions applied to its config, the message
// and author recorded, and the container frozen meanwhile unless `pause=false`.
import type { ImageService } from '../images/image-service.js';
import type { ImageRecord, ImageRunConfig } from '../model/image.js';
import { applyChanges } from '../images/config-changes.js';
import { normalizeTagged } from '../images/reference.js';
import { containerLayer } from './container-layer.js';
import { normalizeConfig } from './run-config.js';
import type { BuildContainers } from './types.js';

export interface CommitOptions {
  container: string;
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  changes: string[];
  pause: boolean;
  /** Config fields from the request body, merged over the container's. */
  config?: ImageRunConfig;
}

export async function commitContainer(images: ImageService, containers: BuildContainers, opts: CommitOptions): Promise<ImageRecord> {
  const tag = opts.repo ? normalizeTagged(opts.tag ? `${opts.repo}:${opts.tag}` : opts.repo) : undefined;
  const c = containers.diff(opts.container);
  const base = await images.resolve(c.image);
  // The container's config, minus what belongs to the container alone, then the request's and the changes.
  const { Hostname: _h, Domainname: _d, Image: _i, ...kept } = c.config as ImageRunConfig & { Image?: string };
  const merged = applyChanges({ ...kept, ...(opts.config ?? {}) }, opts.changes);
  const config = { ...normalizeConfig(merged), Image: base.id };
  const freeze = opts.pause && c.running && !c.paused;
  if (freeze) await containers.setPaused(c.id, true);
  try {
    const layer = await containerLayer(c.upper, c.lowers);
    const rec = await images.createImage({
      base, layer, config, author: opts.author, comment: opts.comment,
      history: { created_by: [...(c.config.Entrypoint ?? []), ...(c.config.Cmd ?? [])].join(' '), ...(opts.comment ? { comment: opts.comment } : {}), ...(opts.author ? { author: opts.author } : {}) },
      containerConfig: { ...normalizeConfig(c.config), Hostname: c.id.slice(0, 12), Image: c.image } as ImageRunConfig, container: c.id,
    });
    images.publish('commit', rec.id, tag ?? rec.id);
    if (tag) { await images.setTag(tag, rec.id); images.publish('tag', rec.id, tag); }
    return images.store.record(rec.id) ?? rec;
  } finally {
    if (freeze) await containers.setPaused(c.id, false).catch(() => undefined);
  }
}
