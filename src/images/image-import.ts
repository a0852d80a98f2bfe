// `docker import`: a root filesystem tar (maybe gzip) becomes a one-layer image whose config carries the
// `--change` instructions and `--message`; Docker's progress is streamed, then `{"status":"sha256:…"}`.
import type { Readable } from 'node:stream';
import type { ImageBackend } from './image-backend.js';
import { applyChanges } from './config-changes.js';
import { CountingStream, progressMessage, type ProgressMessage } from './progress.js';
import { goArch } from './busybox-seed.js';
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

export async function importImage(svc: ImageBackend, body: Readable, opts: ImportOptions, emit: (m: ProgressMessage) => void): Promise<ImageRecord> {
  // Validate the target name and the changes before reading the body.
  const tag = opts.repo ? normalizeTagged(opts.tag ? `${opts.repo}:${opts.tag}` : opts.repo) : undefined;
  const runConfig = applyChanges({}, opts.changes);
  const counted = body.pipe(new CountingStream((n) => emit(progressMessage('Importing', '', n, 0))));
  body.on('error', (err) => counted.destroy(err));
  const lease = svc.lease();
  try {
    return await finish(svc, await svc.addLayers([counted], lease), opts, tag, runConfig);
  } finally {
    lease.release();
  }
}

async function finish(svc: ImageBackend, [layer]: LayerInfo[], opts: ImportOptions, tag: string | undefined, runConfig: ImageRunConfig): Promise<ImageRecord> {
  const created = new Date().toISOString();
  const comment = opts.message || `Imported from ${opts.source ?? '-'}`;
  const [os, arch] = (opts.platform ?? '').split('/');
  const config: ImageConfigJson = {
    architecture: arch || goArch(),
    comment,
    config: runConfig,
    created,
    docker_version: 'berth',
    history: [{ created, comment }],
    os: os || 'linux',
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
