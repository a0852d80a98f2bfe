// `docker push`: every layer of the image goes up unless the registry has it (HEAD of a digest we know
// for that layer) or can mount it from another repository of the same registry; otherwise the layer's tar
// is gzip-compressed on the fly and uploaded in one streamed PATCH. Then the config and a schema 2 manifest.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { PassThrough, Transform, type TransformCallback } from 'node:stream';
import { createGzip, constants as zc } from 'node:zlib';
import { notFound } from '../errors.js';
import { chainIds } from '../storage/digest.js';
import type { ImageService } from './image-service.js';
import type { ImageRecord } from '../model/image.js';
import { progressMessage, type ProgressMessage } from './progress.js';
import { type ImageReference } from './reference.js';
import type { Credentials } from '../registry/client/auth.js';
import { RegistrySession, registryError, type RegistryContext } from '../registry/client/session.js';
import { MT } from '../registry/client/manifest.js';
import { Limiter, throttle } from '../registry/client/limiter.js';
import type { BlobSources } from '../registry/client/blob-sources.js';
import { remoteName } from './remote-name.js';

export interface PushDeps { images: ImageService; ctx: RegistryContext; uploads: Limiter; sources: BlobSources }

export interface PushRequest { ref: ImageReference; creds: Credentials; emit: (m: ProgressMessage) => void }

interface Pushed { digest: string; size: number; mediaType: string }

const short = (d: string) => d.slice(7, 19);

/** Hashes and counts what passes through (the compressed layer as it is uploaded). */
class Digester extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void { this.hash.update(chunk); this.size += chunk.length; cb(null, chunk); }
}

/** Pushes the tag in `req.ref` (every tag of the repository when it has none). */
export async function pushImage(deps: PushDeps, req: PushRequest, tags: Array<{ tag: string; image: ImageRecord }>): Promise<void> {
  const { registry, repo, familiar } = remoteName(req.ref);
  const session = new RegistrySession(deps.ctx, registry, req.creds);
  req.emit({ status: `The push refers to repository [${familiar.includes('/') && familiar.split('/')[0].match(/[.:]|^localhost$/) ? familiar : `docker.io/${repo}`}]` });
  if (tags.length === 0) throw notFound(`An image does not exist locally with the tag: ${familiar}`);
  for (const { tag, image } of tags) {
    const layers = await pushLayers(deps, session, registry, repo, image, req.emit);
    const configBytes = await deps.images.configBytes(image.id);
    await uploadBuffer(session, repo, image.id, configBytes);
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: MT.dockerManifest,
      config: { mediaType: MT.dockerConfig, size: configBytes.length, digest: image.id },
      layers: layers.map((l) => ({ mediaType: l.mediaType, size: l.size, digest: l.digest })),
    }, null, 3));
    const res = await session.request(`/v2/${repo}/manifests/${tag}`, {
      method: 'PUT', body: manifest, scope: `repository:${repo}:pull,push`,
      headers: { 'Content-Type': MT.dockerManifest, 'Content-Length': manifest.length },
    });
    if (res.statusCode !== 201 && res.statusCode !== 200) throw await registryError(res, `pushing manifest for ${familiar}:${tag}`);
    res.resume();
    const digest = 'sha256:' + createHash('sha256').update(manifest).digest('hex');
    await deps.images.store.setRef(`${familiar}@${digest}`, image.id);
    req.emit({ status: `${tag}: digest: ${digest} size: ${manifest.length}` });
    req.emit({ progressDetail: {}, aux: { Tag: tag, Digest: digest, Size: manifest.length } });
    deps.images.publish('push', `${familiar}:${tag}`, familiar);
  }
}

async function pushLayers(deps: PushDeps, s: RegistrySession, registry: string, repo: string, image: ImageRecord, emit: (m: ProgressMessage) => void): Promise<Pushed[]> {
  const diffIds = image.config.rootfs.diff_ids;
  const chains = chainIds(diffIds);
  // Docker lists layers top first.
  for (const d of [...diffIds].reverse()) emit({ status: 'Preparing', progressDetail: {}, id: short(d) });
  const jobs = diffIds.map((diffId, i) => deps.uploads.run(
    () => pushLayer(deps, s, registry, repo, diffId, chains[i], (m) => emit({ ...m, id: short(diffId) })),
    () => emit({ status: 'Waiting', progressDetail: {}, id: short(diffId) }),
  ));
  const results = await Promise.allSettled(jobs);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<Pushed>).value);
}

async function blobExists(s: RegistrySession, repo: string, digest: string): Promise<boolean> {
  const res = await s.request(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD', scope: `repository:${repo}:pull,push` });
  res.resume();
  return res.statusCode === 200;
}

async function pushLayer(deps: PushDeps, s: RegistrySession, registry: string, repo: string, diffId: string, chain: string,
  say: (m: Omit<ProgressMessage, 'id'>) => void): Promise<Pushed> {
  const known = deps.sources.of(diffId).filter((k) => k.registry === registry);
  for (const k of known.filter((x) => x.repo === repo)) {
    if (await blobExists(s, repo, k.digest)) { say({ status: 'Layer already exists', progressDetail: {} }); return k; }
  }
  for (const k of known.filter((x) => x.repo !== repo)) {
    const res = await s.request(`/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(k.digest)}&from=${encodeURIComponent(k.repo)}`, {
      method: 'POST', headers: { 'Content-Length': 0 }, scope: `repository:${repo}:pull,push repository:${k.repo}:pull`,
    });
    res.resume();
    if (res.statusCode === 201) {
      say({ status: `Mounted from ${k.repo}`, progressDetail: {} });
      await deps.sources.add(diffId, { ...k, repo });
      return k;
    }
    if (res.statusCode === 202 && res.headers.location) await cancelUpload(s, repo, res.headers.location);
  }
  for (const k of known) {
    if (k.repo !== repo && await blobExists(s, repo, k.digest)) { say({ status: 'Layer already exists', progressDetail: {} }); return k; }
  }
  const info = await deps.images.layers.info(chain);
  if (info.blob) return await pushKeptBlob(deps, s, registry, repo, diffId, deps.images.layers.blobPath(chain), info.blob, say);
  const total = info.tarSize;
  const location = await startUpload(s, repo);
  const due = throttle(100);
  let read = 0;
  const source = await deps.images.openDiffTar(diffId);
  source.on('data', (c: Buffer) => { read += c.length; if (due('p')) say(progressMessage('Pushing', '', read, total)); });
  const gzip = createGzip({ level: zc.Z_BEST_SPEED, chunkSize: 256 * 1024 });
  const digester = new Digester();
  const body = new PassThrough({ highWaterMark: 1 << 20 });
  source.on('error', (err) => body.destroy(err));
  gzip.on('error', (err) => body.destroy(err));
  source.pipe(gzip).pipe(digester).pipe(body);
  const patch = await s.request(location.href, { method: 'PATCH', body, scope: `repository:${repo}:pull,push`, headers: { 'Content-Type': 'application/octet-stream' } });
  if (patch.statusCode !== 202) throw await registryError(patch, `uploading layer ${short(diffId)}`);
  patch.resume();
  const digest = 'sha256:' + digester.hash.digest('hex');
  const next = new URL(patch.headers.location ?? location.href, location);
  next.searchParams.set('digest', digest);
  const put = await s.request(next.href, { method: 'PUT', headers: { 'Content-Length': 0 }, body: Buffer.alloc(0), scope: `repository:${repo}:pull,push` });
  if (put.statusCode !== 201) throw await registryError(put, `finishing upload of layer ${short(diffId)}`);
  put.resume();
  say(progressMessage('Pushing', '', total, total));
  say({ status: 'Pushed', progressDetail: {} });
  const pushed = { digest, size: digester.size, mediaType: MT.dockerLayerGzip };
  await deps.sources.add(diffId, { registry, repo, ...pushed });
  return pushed;
}

/** A pulled layer goes up as the very blob it came as: no recompression, the same digest. */
async function pushKeptBlob(deps: PushDeps, s: RegistrySession, registry: string, repo: string, diffId: string, path: string,
  blob: { digest: string; mediaType: string; size: number }, say: (m: Omit<ProgressMessage, 'id'>) => void): Promise<Pushed> {
  const pushed = { digest: blob.digest, size: blob.size, mediaType: blob.mediaType };
  if (await blobExists(s, repo, blob.digest)) {
    say({ status: 'Layer already exists', progressDetail: {} });
  } else {
    const location = await startUpload(s, repo);
    location.searchParams.set('digest', blob.digest);
    const due = throttle(100);
    let read = 0;
    const body = createReadStream(path, { highWaterMark: 1 << 20 });
    body.on('data', (c: Buffer | string) => { read += c.length; if (due('p')) say(progressMessage('Pushing', '', read, blob.size)); });
    const put = await s.request(location.href, { method: 'PUT', body, scope: `repository:${repo}:pull,push`, headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': blob.size } });
    if (put.statusCode !== 201) throw await registryError(put, `uploading layer ${short(diffId)}`);
    put.resume();
    say(progressMessage('Pushing', '', blob.size, blob.size));
    say({ status: 'Pushed', progressDetail: {} });
  }
  await deps.sources.add(diffId, { registry, repo, ...pushed });
  return pushed;
}

async function startUpload(s: RegistrySession, repo: string): Promise<URL> {
  const res = await s.request(`/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: { 'Content-Length': 0 }, body: Buffer.alloc(0), scope: `repository:${repo}:pull,push` });
  if (res.statusCode !== 202 || !res.headers.location) throw await registryError(res, `starting an upload to ${repo}`);
  res.resume();
  return new URL(res.headers.location, s.baseUrl);
}

async function cancelUpload(s: RegistrySession, repo: string, location: string): Promise<void> {
  const res = await s.request(new URL(location, s.baseUrl).href, { method: 'DELETE', scope: `repository:${repo}:pull,push` }).catch(() => undefined);
  res?.resume();
}

/** Monolithic upload of a small blob whose digest is known (the config), skipped when present. */
async function uploadBuffer(s: RegistrySession, repo: string, digest: string, data: Buffer): Promise<void> {
  if (await blobExists(s, repo, digest)) return;
  const location = await startUpload(s, repo);
  location.searchParams.set('digest', digest);
  const put = await s.request(location.href, { method: 'PUT', body: data, scope: `repository:${repo}:pull,push`, headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': data.length } });
  if (put.statusCode !== 201) throw await registryError(put, `uploading config ${short(digest)}`);
  put.resume();
}

