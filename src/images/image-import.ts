// `docker import`: a root filesystem tar (maybe gzip) becomes a one-layer image whose config carries the
// `--change` instructions and `--message`. As dockerd does for a request-body import, no progress is streamed:
// the caller sends one `{"status":"sha256:…"}` once the image is stored (clients read it as the ID).
import type { Readable } from 'node:stream';
import type { ImageBackend } from './image-backend.js';
import { applyChanges } from './config-changes.js';
import type { ProgressMessage } from './progress.js';
import { parsePlatform, requireLinux, type Platform } from './platform.js';
import { normalizeTagged } from './reference.js';
import type { ImageConfigJson, ImageRecord, ImageRunConfig } from '../model/image.js';
import type { LayerInfo } from '../storage/layer-store.js';

export interface ImportOptions {
  repo?: string;
  tag?: string;
  changes: string[];
  message?: string;
  platform?: string;
  /** Where the tar came from, for the default history comment (`-` for the request body). */
  source?: string;
}

export async function importImage(svc: ImageBackend, body: Readable, opts: ImportOptions, _emit: (m: ProgressMessage) => void): Promise<ImageRecord> {
  // Validate the target name and the changes before reading the body.
  const tag = opts.repo ? normalizeTagged(opts.tag ? `${opts.repo}:${opts.tag}` : opts.repo) : undefined;
  const runConfig = applyChanges({}, opts.changes);
  const platform = parsePlatform(opts.platform ?? '');
  requireLinux(platform);
  const lease = svc.lease();
  try {
    return await finish(svc, await svc.addLayers([body], lease), opts, platform, tag, runConfig);
  } finally {
    lease.release();
  }
}

async function finish(svc: ImageBackend, [layer]: LayerInfo[], opts: ImportOptions, platform: Platform, tag: string | undefined, runConfig: ImageRunConfig): Promise<ImageRecord> {
  const created = new Date().toISOString();
  const comment = opts.message || `Imported from ${opts.source ?? '-'}`;
  const config: ImageConfigJson = {
    architecture: platform.architecture,
    ...(platform.variant ? { variant: platform.variant } : {}),
    comment,
    config: runConfig,
    created,
    docker_version: 'berth',
    history: [{ created, comment }],
    os: platform.os,
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
  };
  const rec = await svc.commitImage(Buffer.from(JSON.stringify(config)), [layer]);
  svc.publish('import', rec.id, rec.id);
  if (tag) {
    await svc.setTag(tag, rec.id);
    svc.publish('tag', rec.id, tag);
  }
  return svc.store.record(rec.id) ?? rec;
}
