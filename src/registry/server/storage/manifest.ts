// What the registry needs to know about a pushed manifest: its media type, the content it references (which
// must already be in the repository), its subject (for the referrers API) and the descriptor it gets in a
// referrers list. Anything that is not one of the four manifest types is refused.
import { regError } from '../errors.js';
import { parseDigest } from '../names.js';

export const MT = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

const IMAGE_TYPES = new Set<string>([MT.ociManifest, MT.dockerManifest]);
const INDEX_TYPES = new Set<string>([MT.ociIndex, MT.dockerList]);

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  urls?: string[];
}

export interface ParsedManifest {
  mediaType: string;
  /** Blobs (config, layers) that must be linked in the repository. */
  blobs: Descriptor[];
  /** Manifests (an index's children) that must be in the repository. */
  manifests: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** Layers a registry never holds: Docker's foreign layers, OCI's non-distributable ones. */
function isExternalLayer(d: Descriptor): boolean {
  return d.mediaType.includes('nondistributable') || d.mediaType === 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';
}

function invalid(reason: string): Error {
  return regError('MANIFEST_INVALID', 'manifest invalid', { reason });
}

function descriptor(v: unknown, where: string): Descriptor {
  if (!v || typeof v !== 'object') throw invalid(`${where}: not a descriptor`);
  const o = v as Record<string, unknown>;
  if (typeof o.mediaType !== 'string' || typeof o.digest !== 'string' || typeof o.size !== 'number' || !Number.isInteger(o.size) || o.size < 0) {
    throw invalid(`${where}: descriptor needs mediaType, digest and size`);
  }
  try { parseDigest(o.digest); } catch { throw invalid(`${where}: invalid digest ${o.digest}`); }
  return {
    mediaType: o.mediaType, digest: o.digest, size: o.size,
    ...(typeof o.artifactType === 'string' ? { artifactType: o.artifactType } : {}),
    ...(Array.isArray(o.urls) ? { urls: o.urls.map(String) } : {}),
  };
}

function stripParams(contentType: string | undefined): string | undefined {
  const t = contentType?.split(';')[0].trim();
  return t ? t : undefined;
}

export function parseManifest(body: Buffer, contentType: string | undefined): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(body.toString('utf8'));
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    doc = v as Record<string, unknown>;
  } catch {
    throw invalid('manifest is not a JSON object');
  }
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const header = stripParams(contentType);
  if (declared && header && declared !== header) throw invalid(`mediaType ${declared} does not match Content-Type ${header}`);
  const mediaType = header ?? declared ?? (Array.isArray(doc.manifests) ? MT.ociIndex : MT.ociManifest);
  if (doc.schemaVersion !== 2) throw invalid('schemaVersion must be 2');
  const out: ParsedManifest = { mediaType, blobs: [], manifests: [] };
  if (IMAGE_TYPES.has(mediaType)) {
    const config = descriptor(doc.config, 'config');
    out.blobs.push(config);
    if (!Array.isArray(doc.layers)) throw invalid('layers must be a list');
    doc.layers.forEach((l, i) => {
      const d = descriptor(l, `layers[${i}]`);
      if (!isExternalLayer(d)) out.blobs.push(d);
    });
    out.artifactType = typeof doc.artifactType === 'string' ? doc.artifactType : config.mediaType;
  } else if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(doc.manifests)) throw invalid('manifests must be a list');
    out.manifests = doc.manifests.map((m, i) => descriptor(m, `manifests[${i}]`));
    if (typeof doc.artifactType === 'string') out.artifactType = doc.artifactType;
  } else {
    throw invalid(`unsupported manifest media type ${mediaType}`);
  }
  if (doc.subject !== undefined) out.subject = descriptor(doc.subject, 'subject');
  if (doc.annotations && typeof doc.annotations === 'object') out.annotations = doc.annotations as Record<string, string>;
  return out;
}
