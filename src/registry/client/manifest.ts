// Manifests and indexes: Docker schema 2 and OCI, fetched by tag or digest, verified against the digest,
// and narrowed to one platform (linux/amd64 unless asked otherwise). Schema 1 and unknown types are refused.
import { createHash } from 'node:crypto';
import { BerthError, invalidArgument, notFound } from '../../errors.js';
import { readBody, registryError, type RegistrySession } from './session.js';

export const MT = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeign: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  schema1: 'application/vnd.docker.distribution.manifest.v1+json',
  schema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

export const ACCEPT = [MT.dockerManifest, MT.dockerList, MT.ociManifest, MT.ociIndex].join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface ImageManifest { schemaVersion: number; mediaType?: string; config: Descriptor; layers: Descriptor[] }
export interface ImageIndex { schemaVersion: number; mediaType?: string; manifests: Descriptor[] }

export type { Compression } from '../../storage/layer-decompress.js';
import type { Compression } from '../../storage/layer-decompress.js';

/** How a layer is compressed, or why it cannot be pulled; undefined for foreign layers (skipped). */
export function layerCompression(mediaType: string): Compression | undefined {
  switch (mediaType) {
    case MT.dockerLayerGzip: case MT.ociLayerGzip: return 'gzip';
    case MT.ociLayerZstd: return 'zstd';
    case MT.ociLayer: return 'none';
    case MT.dockerForeign: case MT.ociNondistributable: case `${MT.ociNondistributable}+gzip`: case `${MT.ociNondistributable}+zstd`: return undefined;
    default: throw invalidArgument(`unsupported layer media type ${JSON.stringify(mediaType)}`);
  }
}

export function isForeign(mediaType: string): boolean {
  return mediaType === MT.dockerForeign || mediaType.startsWith(MT.ociNondistributable);
}

export interface Platform { os: string; architecture: string; variant?: string }

/** `linux/arm64/v8` → platform; the daemon's own platform (linux/amd64 here) when empty. */
export function parsePlatform(s: string | undefined, fallbackArch: string): Platform {
  if (!s) return { os: 'linux', architecture: fallbackArch };
  const [os, architecture, variant] = s.toLowerCase().split('/');
  if (!os || !architecture && os !== 'linux') throw invalidArgument(`invalid platform ${JSON.stringify(s)}: want os/arch[/variant]`);
  return { os, architecture: architecture ?? fallbackArch, variant };
}

export function platformString(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Picks the best entry of an index: exact variant, then any variant of the arch (arm64 defaults to v8). */
export function pickPlatform(index: ImageIndex, want: Platform): Descriptor | undefined {
  const candidates = index.manifests.filter((m) => m.platform && m.platform.os === want.os && m.platform.architecture === want.architecture
    && m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest');
  if (want.variant) return candidates.find((m) => m.platform?.variant === want.variant) ?? (want.architecture === 'arm64' && want.variant === 'v8' ? candidates.find((m) => !m.platform?.variant) : undefined);
  return candidates.find((m) => !m.platform?.variant || m.platform.variant === (want.architecture === 'arm64' ? 'v8' : m.platform.variant)) ?? candidates[0];
}

export interface FetchedManifest { digest: string; mediaType: string; bytes: Buffer; json: ImageManifest | ImageIndex }

function sha256(b: Buffer): string {
  return 'sha256:' + createHash('sha256').update(b).digest('hex');
}

/** GET /v2/<repo>/manifests/<ref>: verified against `ref` when it is a digest. */
export async function fetchManifest(s: RegistrySession, repo: string, ref: string, shown: string): Promise<FetchedManifest> {
  const res = await s.request(`/v2/${repo}/manifests/${ref}`, { headers: { Accept: ACCEPT }, scope: `repository:${repo}:pull` });
  if (res.statusCode === 404) {
    const err = await registryError(res, `manifest for ${shown} not found`);
    throw notFound(err.message);
  }
  if (res.statusCode === 401 || res.statusCode === 403) {
    await registryError(res, '');
    throw new BerthError('not-found', `pull access denied for ${shown.replace(/[:@][^/]*$/, '')}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`);
  }
  if ((res.statusCode ?? 500) >= 300) throw await registryError(res, `fetching manifest for ${shown}`);
  const bytes = await readBody(res, 4 << 20);
  const digest = sha256(bytes);
  if (ref.includes(':') && ref !== digest) throw invalidArgument(`manifest verification failed for digest ${ref}: got ${digest}`);
  let json: ImageManifest | ImageIndex;
  try { json = JSON.parse(bytes.toString('utf8')) as ImageManifest | ImageIndex; } catch { throw invalidArgument(`manifest for ${shown} is not JSON`); }
  const mediaType = (json as { mediaType?: string }).mediaType ?? String(res.headers['content-type'] ?? '').split(';')[0].trim();
  if (mediaType === MT.schema1 || mediaType === MT.schema1Signed || (json as { schemaVersion?: number }).schemaVersion === 1) {
    throw invalidArgument(`image ${shown} uses the Docker Image manifest version 2, schema 1, which Berth does not support: push it again with a current client`);
  }
  const known = [MT.dockerManifest, MT.dockerList, MT.ociManifest, MT.ociIndex] as string[];
  const effective = known.includes(mediaType) ? mediaType : Array.isArray((json as ImageIndex).manifests) ? MT.ociIndex : (json as ImageManifest).config ? MT.ociManifest : mediaType;
  if (!known.includes(effective)) throw invalidArgument(`unsupported manifest media type ${JSON.stringify(mediaType)} for ${shown}`);
  return { digest, mediaType: effective, bytes, json };
}

export function isIndex(m: FetchedManifest): m is FetchedManifest & { json: ImageIndex } {
  return m.mediaType === MT.dockerList || m.mediaType === MT.ociIndex;
}

/** Checks the shape of an image manifest once, so the puller works with typed descriptors. */
export function checkImageManifest(m: ImageManifest, shown: string): void {
  const ok = (d: Descriptor | undefined) => !!d && typeof d.digest === 'string' && /^sha256:[a-f0-9]{64}$/.test(d.digest) && typeof d.size === 'number' && d.size >= 0;
  if (!ok(m.config) || !Array.isArray(m.layers) || !m.layers.every(ok)) throw invalidArgument(`invalid manifest for ${shown}: bad config or layer descriptors`);
  const cfgType = m.config.mediaType;
  if (cfgType && cfgType !== MT.dockerConfig && cfgType !== MT.ociConfig) {
    throw invalidArgument(`${shown} is not a container image: config media type ${JSON.stringify(cfgType)}`);
  }
}
