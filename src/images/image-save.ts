// `docker save`: one tar that both old and new `docker load` accept, as Docker 25+ writes it: the legacy
// manifest.json + repositories, and an OCI image layout (oci-layout, index.json, blobs/sha256/...). Layers
// are the stored uncompressed tars, so every digest (and the image ID) survives a save/load round trip.
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { notFound } from '../errors.js';
import { digestHex, sha256Digest } from '../storage/digest.js';
import type { ImageBackend } from './image-backend.js';
import { parseReference, familiarName, repoOf, displayRef } from './reference.js';
import type { ImageRecord } from '../model/image.js';

export const MEDIA_OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MEDIA_OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const MEDIA_OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';

interface SaveItem { image: ImageRecord; tags: string[] }

/** Which images and tags `names` select, in Docker's way: a bare repository name selects all its tags. */
export function selectImages(svc: ImageBackend, names: string[]): SaveItem[] {
  const byId = new Map<string, SaveItem>();
  const add = (image: ImageRecord, tag?: string) => {
    const item = byId.get(image.id) ?? { image, tags: [] };
    if (tag && !item.tags.includes(tag)) item.tags.push(tag);
    byId.set(image.id, item);
  };
  for (const name of names) {
    let bare: string | undefined;
    try {
      const r = parseReference(name);
      if (!r.tag && !r.digest) bare = familiarName(r.name);
    } catch { /* an ID */ }
    if (bare !== undefined) {
      const tagged = svc.store.records().flatMap((rec) => rec.repoTags.filter((t) => repoOf(t) === bare).map((t) => ({ rec, t })));
      if (tagged.length) { for (const { rec, t } of tagged) add(rec, t); continue; }
    }
    const id = svc.findId(name);
    const rec = id ? svc.store.record(id) : undefined;
    if (!rec) throw notFound(`No such image: ${displayRef(name)}`);
    add(rec, svc.isIdRef(name, rec.id) ? undefined : rec.repoTags.find((t) => t === displayRef(name)));
  }
  return [...byId.values()];
}

/** The OCI manifest of an image as saved: config and uncompressed layers, all by digest. */
export async function ociManifest(svc: ImageBackend, image: ImageRecord): Promise<Buffer> {
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_OCI_MANIFEST,
    config: { mediaType: MEDIA_OCI_CONFIG, digest: image.id, size: await svc.content.size(image.id) },
    layers: await Promise.all(image.config.rootfs.diff_ids.map(async (d) => ({ mediaType: MEDIA_OCI_LAYER, digest: d, size: await svc.diffTarSize(d) }))),
  };
  return Buffer.from(JSON.stringify(manifest));
}

function fullName(tag: string): string {
  const r = parseReference(tag);
  return `${r.name}:${r.tag ?? 'latest'}`;
}

/** Streams the tar; errors after the start end the stream early (the client sees a truncated tar). */
export async function saveImages(svc: ImageBackend, names: string[]): Promise<Readable> {
  const items = selectImages(svc, names);
  // Check every blob before the first byte goes out, so a missing blob is a clean HTTP error.
  for (const { image } of items) {
    await svc.configBytes(image.id);
    for (const d of image.config.rootfs.diff_ids) await svc.diffTarSize(d);
  }
  const pack = tar.pack();
  const mtime = new Date(0);
  const written = new Set<string>();
  const addBuffer = (name: string, data: Buffer) => new Promise<void>((resolve, reject) => {
    pack.entry({ name, size: data.length, mode: 0o644, mtime }, data, (err) => (err ? reject(err) : resolve()));
  });
  const addBlobFile = async (digest: string) => {
    if (written.has(digest)) return;
    written.add(digest);
    const size = await svc.diffTarSize(digest);
    const src = await svc.openDiffTar(digest);
    await new Promise<void>((resolve, reject) => {
      const sink = pack.entry({ name: `blobs/sha256/${digestHex(digest)}`, size, mode: 0o644, mtime }, (err) => (err ? reject(err) : resolve()));
      src.on('error', reject);
      src.pipe(sink as unknown as NodeJS.WritableStream);
    });
  };

  const run = async () => {
    pack.entry({ name: 'blobs/', type: 'directory', mode: 0o755, mtime });
    pack.entry({ name: 'blobs/sha256/', type: 'directory', mode: 0o755, mtime });
    const manifestJson: Array<{ Config: string; RepoTags: string[] | null; Layers: string[] }> = [];
    const index: Array<Record<string, unknown>> = [];
    const repositories: Record<string, Record<string, string>> = {};
    for (const { image, tags } of items) {
      const layers = image.config.rootfs.diff_ids;
      for (const d of layers) await addBlobFile(d);
      const config = await svc.configBytes(image.id);
      if (!written.has(image.id)) { written.add(image.id); await addBuffer(`blobs/sha256/${digestHex(image.id)}`, config); }
      const manifest = await ociManifest(svc, image);
      const manifestDigest = sha256Digest(manifest);
      if (!written.has(manifestDigest)) { written.add(manifestDigest); await addBuffer(`blobs/sha256/${digestHex(manifestDigest)}`, manifest); }
      const desc = { mediaType: MEDIA_OCI_MANIFEST, digest: manifestDigest, size: manifest.length };
      if (tags.length === 0) index.push(desc);
      for (const t of tags) {
        index.push({ ...desc, annotations: { 'io.containerd.image.name': fullName(t), 'org.opencontainers.image.ref.name': t.slice(t.lastIndexOf(':') + 1) } });
        const repo = repoOf(t);
        (repositories[repo] ??= {})[t.slice(repo.length + 1)] = digestHex(layers[layers.length - 1] ?? image.id);
      }
      manifestJson.push({ Config: `blobs/sha256/${digestHex(image.id)}`, RepoTags: tags.length ? tags : null, Layers: layers.map((d) => `blobs/sha256/${digestHex(d)}`) });
    }
    await addBuffer('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_OCI_INDEX, manifests: index })));
    await addBuffer('manifest.json', Buffer.from(JSON.stringify(manifestJson)));
    await addBuffer('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
    if (Object.keys(repositories).length) await addBuffer('repositories', Buffer.from(JSON.stringify(repositories)));
    pack.finalize();
    for (const { image, tags } of items) svc.publish('save', image.id, tags[0] ?? image.id);
  };
  run().catch((err) => pack.destroy(err as Error));
  return pack as unknown as Readable;
}
