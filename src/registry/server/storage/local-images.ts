// berthd's own images, seen read-only through its registry server: `GET /v2/busybox/manifests/latest` from a
// berthd that has busybox:latest answers with an OCI manifest made from the image's config and its layer tars
// (uncompressed, as berthd keeps them in the shared content store), so pulling from berthd copies nothing
// into it and needs no push first. Pushed content of the same name and tag wins.
import { digestOf } from './blob-store.js';
import { MT } from './manifest.js';

export interface LocalImage { id: string; diffIds: string[] }

/** What the registry needs from berthd's image store (given by the daemon's wiring). */
export interface LocalImages {
  /** The image a familiar `name:tag` reference names, if any. */
  lookup(ref: string): LocalImage | undefined;
  /** Every familiar `name:tag` reference. */
  refs(): string[];
}

const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';

/** Registry repository name ↔ berthd reference name: Docker Hub's `library/` prefix is implied. */
export function localRefName(repo: string): string {
  return repo.startsWith('library/') ? repo.slice('library/'.length) : repo;
}

/** `name:tag` references without a registry host, split; others are not served. */
export function splitLocalRef(ref: string): { name: string; tag: string } | undefined {
  const at = ref.lastIndexOf(':');
  if (at <= 0 || ref.includes('@')) return undefined;
  const name = ref.slice(0, at);
  const first = name.split('/')[0];
  if (name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) return undefined;
  return { name, tag: ref.slice(at + 1) };
}

/** The manifest berthd's image would have, given the sizes of its config and layers; deterministic. */
export function localManifest(img: LocalImage, sizes: { config: number; layers: number[] }): { body: Buffer; digest: string; mediaType: string } {
  const body = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MT.ociManifest,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: img.id, size: sizes.config },
    layers: img.diffIds.map((d, i) => ({ mediaType: OCI_LAYER_TAR, digest: d, size: sizes.layers[i] })),
  }));
  return { body, digest: digestOf(body), mediaType: MT.ociManifest };
}
