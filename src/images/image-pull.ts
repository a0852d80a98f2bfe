// `docker pull`: manifest (through an index to one platform), config, then the layers in parallel, each
// verified while it streams and unpacked while it downloads. Layers already stored are skipped, one
// download serves every pull that wants it, and the image and its tag appear only once every layer is in.
import { mkdirSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError, invalidArgument, notFound } from '../errors.js';
import { chainIds } from '../storage/digest.js';
import type { LayerInfo } from '../storage/layer-store.js';
import type { ImageService } from './image-service.js';
import type { ImageConfigJson, ImageRecord } from '../model/image.js';
import { progressMessage, type ProgressMessage } from './progress.js';
import { goArch } from './busybox-seed.js';
import type { ImageReference } from './reference.js';
import { log } from '../util/log.js';
import type { Credentials } from '../registry/client/auth.js';
import { RegistrySession, type RegistryContext } from '../registry/client/session.js';
import { checkImageManifest, fetchManifest, isForeign, isIndex, layerCompression, parsePlatform, pickPlatform, platformString, type Descriptor, type FetchedManifest, type ImageManifest } from '../registry/client/manifest.js';
import { openBlobDownload, fetchSmallBlob } from '../registry/client/blob-fetch.js';
import { unpackGrowingFile, type FileUnpackResult } from '../storage/unpack-pool.js';
import { Limiter, throttle } from '../registry/client/limiter.js';
import { SharedJobs } from '../registry/client/shared-jobs.js';
import type { BlobSources } from '../registry/client/blob-sources.js';
import { remoteName, shownRef } from './remote-name.js';

export interface PullDeps {
  images: ImageService;
  ctx: RegistryContext;
  downloads: Limiter;
  sources: BlobSources;
  /** Where partly downloaded blobs wait for a resumed pull. */
  partialDir: string;
  layerJobs: SharedJobs<LayerInfo, ProgressMessage>;
}

export interface PullRequest {
  /** Tag or digest set. */
  ref: ImageReference;
  platform?: string;
  creds: Credentials;
  emit: (m: ProgressMessage) => void;
}

export interface PullResult { image: ImageRecord; digest: string; updated: boolean }

const short = (digest: string) => digest.slice(7, 19);

/** Tries each endpoint (mirrors first for docker.io); the first that answers the manifest serves the pull. */
async function resolveManifest(deps: PullDeps, req: PullRequest): Promise<{ session: RegistrySession; top: FetchedManifest }> {
  const { registry, repo } = remoteName(req.ref);
  const endpoints = RegistrySession.endpoints(deps.ctx, registry);
  const want = req.ref.digest ?? req.ref.tag ?? 'latest';
  let lastErr: unknown;
  for (const ep of endpoints) {
    const session = new RegistrySession(deps.ctx, registry, ep.mirror ? {} : req.creds, ep);
    try {
      return { session, top: await fetchManifest(session, repo, want, shownRef(req.ref)) };
    } catch (err) {
      lastErr = err;
      if (ep.mirror) log.info('registry mirror failed, trying the next endpoint', { mirror: ep.url.href, err: String(err) });
    }
  }
  throw lastErr;
}

export async function pullImage(deps: PullDeps, req: PullRequest): Promise<PullResult> {
  const { ref, emit } = req;
  const { registry, repo, familiar } = remoteName(ref);
  const shown = shownRef(ref);
  const { session, top } = await resolveManifest(deps, req);
  emit({ status: `Pulling from ${repo}`, id: ref.digest ?? ref.tag ?? 'latest' });

  const platform = parsePlatform(req.platform, goArch());
  let manifest: FetchedManifest = top;
  if (isIndex(top)) {
    const pick = pickPlatform(top.json, platform);
    if (!pick) throw notFound(`no matching manifest for ${platformString(platform)} in the manifest list entries`);
    manifest = await fetchManifest(session, repo, pick.digest, shown);
    if (isIndex(manifest)) throw invalidArgument(`manifest list ${pick.digest} nests another list`);
  }
  const m = manifest.json as ImageManifest;
  checkImageManifest(m, shown);
  const configBytes = await fetchSmallBlob(session, repo, m.config);
  let config: ImageConfigJson;
  try { config = JSON.parse(configBytes.toString('utf8')) as ImageConfigJson; } catch { throw invalidArgument(`image config of ${shown} is not JSON`); }
  if (req.platform && (config.os !== platform.os || config.architecture !== platform.architecture)) {
    throw notFound(`image with reference ${shown} was found but does not match the specified platform: wanted ${platformString(platform)}, actual: ${config.os}/${config.architecture}`);
  }
  const layers = m.layers.filter((l) => !isForeign(l.mediaType));
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (!Array.isArray(diffIds) || diffIds.length !== layers.length) {
    throw invalidArgument(`invalid image ${shown}: the config lists ${diffIds.length} layers, the manifest ${layers.length} (foreign layers cannot be fetched)`);
  }
  for (const l of layers) layerCompression(l.mediaType); // refuse unknown types before any download
  const chains = chainIds(diffIds);

  const lease = deps.images.lease();
  try {
    lease.add(m.config.digest, ...diffIds, ...chains);
    const jobs = layers.map((desc, i) => pullLayer(deps, session, repo, registry, desc, diffIds[i], chains[i], i === 0 ? null : chains[i - 1], emit));
    const results = await Promise.allSettled(jobs);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const image = await deps.images.commitImage(configBytes);
    let updated = false;
    if (ref.tag !== undefined) {
      const key = `${familiar}:${ref.tag}`;
      updated = deps.images.store.refTarget(key) !== image.id;
      if (updated) await deps.images.setTag(key, image.id);
    }
    const digestKey = `${familiar}@${top.digest}`;
    if (deps.images.store.refTarget(digestKey) !== image.id) { updated ||= ref.tag === undefined; await deps.images.store.setRef(digestKey, image.id); }
    emit({ status: `Digest: ${top.digest}` });
    emit({ status: updated ? `Status: Downloaded newer image for ${shown}` : `Status: Image is up to date for ${shown}` });
    deps.images.publish('pull', shown, familiar);
    return { image: deps.images.store.record(image.id) ?? image, digest: top.digest, updated };
  } finally {
    lease.release();
  }
}

async function pullLayer(deps: PullDeps, session: RegistrySession, repo: string, registry: string, desc: Descriptor, diffId: string,
  chain: string, parent: string | null, emit: (m: ProgressMessage) => void): Promise<LayerInfo> {
  const id = short(desc.digest);
  if (deps.images.layers.has(chain)) {
    emit({ status: 'Already exists', progressDetail: {}, id });
    return await deps.images.layers.info(chain);
  }
  emit({ status: 'Pulling fs layer', progressDetail: {}, id });
  const relay = (m: ProgressMessage) => emit({ ...m, id });
  const { value, joined } = await deps.layerJobs.join(chain, relay, (broadcast) => downloadLayer(deps, session, repo, registry, desc, diffId, parent, broadcast));
  if (joined) emit({ status: 'Download complete', progressDetail: {}, id });
  emit({ status: 'Pull complete', progressDetail: {}, id });
  return value;
}

async function downloadLayer(deps: PullDeps, session: RegistrySession, repo: string, registry: string, desc: Descriptor, diffId: string,
  parent: string | null, say: (m: ProgressMessage) => void): Promise<LayerInfo> {
  const compression = layerCompression(desc.mediaType) ?? 'none';
  return await deps.downloads.run(async () => {
    mkdirSync(deps.partialDir, { recursive: true, mode: 0o700 });
    const partial = join(deps.partialDir, desc.digest.slice(7));
    const due = throttle(100);
    const download = await openBlobDownload(session, repo, desc, partial);
    if (download.resumedFrom > 0) log.info('resuming layer download', { digest: desc.digest, from: download.resumedFrom });
    let started = false;
    let info: LayerInfo;
    try {
      info = await deps.images.layers.ingest(parent, diffId, { path: partial, digest: desc.digest, mediaType: desc.mediaType, size: desc.size }, async (dir) => {
        started = true;
        // The worker follows the partial file as the download appends to it, and hashes it as it reads.
        const job = unpackGrowingFile(partial, dir, compression);
        job.grow(download.resumedFrom);
        const stop = new AbortController();
        const downloaded = download.run((n) => {
          job.grow(n);
          if (due('d', n === desc.size)) say(progressMessage('Downloading', '', n, desc.size));
        }, stop.signal).then(() => {
          say({ status: 'Verifying Checksum', progressDetail: {} });
          say({ status: 'Download complete', progressDetail: {} });
          say(progressMessage('Extracting', '', desc.size, desc.size));
          job.end();
        }, (err: unknown) => job.fail(err));
        let r: FileUnpackResult;
        try {
          r = await job.result;
        } catch (err) {
          stop.abort(); // a refused layer: no more bytes for it, and none written after we return
          await downloaded;
          throw err;
        }
        if (r.blobDigest !== desc.digest) throw invalidArgument(`filesystem layer verification failed for digest ${desc.digest}: got ${r.blobDigest}`);
        return r;
      });
    } catch (err) {
      // Bad data (a digest mismatch, corrupt gzip) will not get better by resuming: start afresh next time.
      if (err instanceof BerthError && err.kind === 'invalid-argument') await unlink(partial).catch(() => undefined);
      throw err;
    } finally {
      if (!started) download.abandon();
    }
    await unlink(partial).catch(() => undefined);
    await deps.sources.add(diffId, { registry, repo, digest: desc.digest, mediaType: desc.mediaType, size: desc.size });
    return info;
  }, () => say({ status: 'Waiting', progressDetail: {} }));
}
