// The registry's storage driver: blobs (shared, content-addressed), per-repository links over them, upload
// sessions, manifests. Handlers call only this. A blob is visible in a repository once linked there: after a
// verified upload, a mount from another repository, or (with `sharedBlobs`, inside berthd) as soon as the
// shared content store holds it.
import type { Readable } from 'node:stream';
import { regError, RegistryError } from '../errors.js';
import { checkRepoName, isRepoName, isTag, parseDigest, type ParsedDigest } from '../names.js';
import { BlobStore, digestOf } from './blob-store.js';
import { parseManifest, type Descriptor } from './manifest.js';
import { RepositoryStore } from './repositories.js';
import { UploadStore } from './uploads.js';
import { localManifest, localRefName, splitLocalRef, type LocalImages } from './local-images.js';

export interface RegistryStorageOptions {
  /** Registry metadata: repositories/ and uploads/. */
  root: string;
  /** Where blobs/<alg>/<hex> live; `root` by default. berthd passes its image root. */
  blobRoot?: string;
  /** Every blob in the blob store counts as present in every repository (berthd's own store). */
  sharedBlobs?: boolean;
  /** berthd's images, served read-only under their own names (with `sharedBlobs`). */
  localImages?: LocalImages;
}

/** Spec's suggested floor for manifest size; larger ones are refused with 413. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface StoredManifest { digest: string; mediaType: string; size: number; subject?: string }

export class RegistryStorage {
  readonly blobs: BlobStore;
  readonly uploads: UploadStore;
  readonly repos: RepositoryStore;
  private readonly sharedBlobs: boolean;
  private readonly localImages?: LocalImages;
  /** Digests linked or stored as manifests anywhere (kept by `indexReferences`, for a shared store). */
  private referenced?: Set<string>;

  constructor(opts: RegistryStorageOptions) {
    this.blobs = new BlobStore(opts.blobRoot ?? opts.root);
    this.uploads = new UploadStore(opts.root, this.blobs);
    this.repos = new RepositoryStore(opts.root);
    this.sharedBlobs = opts.sharedBlobs ?? false;
    this.localImages = opts.sharedBlobs ? opts.localImages : undefined;
  }

  /**
   * Builds the set of digests the registry uses, kept up to date from then on, so that another user of the
   * blob store (berthd's image garbage collection) can ask `isReferenced` without touching the disk.
   * Deletions do not shrink it: a blob kept a little too long is harmless, one deleted too early is not.
   */
  async indexReferences(): Promise<void> {
    const set = new Set<string>();
    for (const repo of await this.repos.names()) {
      for (const d of await this.repos.linkedBlobs(repo)) set.add(d);
      for (const d of await this.repos.revisions(repo)) set.add(d);
    }
    this.referenced = set;
  }

  isReferenced(digest: string): boolean {
    return this.referenced?.has(digest) ?? false;
  }

  private async link(repo: string, d: ParsedDigest): Promise<void> {
    this.referenced?.add(d.digest);
    await this.repos.linkBlob(repo, d);
  }

  // --- blobs

  /** Size of a blob the repository may serve, or undefined. */
  async blobSize(repo: string, d: ParsedDigest): Promise<number | undefined> {
    if (!this.sharedBlobs && !this.repos.hasBlob(repo, d)) return undefined;
    return this.blobs.size(d);
  }

  async requireBlob(repo: string, d: ParsedDigest): Promise<number> {
    const size = await this.blobSize(repo, d);
    if (size === undefined) throw regError('BLOB_UNKNOWN', 'blob unknown to registry', { digest: d.digest });
    return size;
  }

  async deleteBlob(repo: string, d: ParsedDigest): Promise<void> {
    if (!(await this.repos.unlinkBlob(repo, d))) throw regError('BLOB_UNKNOWN', 'blob unknown to registry', { digest: d.digest });
  }

  /**
   * Links an existing blob into `repo`. With `from`, the blob must be linked there; without, any stored blob
   * will do (an anonymous mount). False when there is nothing to mount.
   */
  async mount(repo: string, d: ParsedDigest, from?: string): Promise<boolean> {
    if (from !== undefined) {
      checkRepoName(from);
      if (!this.sharedBlobs && !this.repos.hasBlob(from, d)) return false;
    }
    if ((await this.blobs.size(d)) === undefined) return false;
    await this.link(repo, d);
    return true;
  }

  /** Ends an upload session: verifies, stores, links. */
  async finishUpload(repo: string, uuid: string, digest: string, body?: Readable): Promise<{ digest: ParsedDigest; size: number }> {
    // Marked before the blob lands, so a concurrent sweep of a shared store never sees it unclaimed.
    this.referenced?.add(parseDigest(digest).digest);
    const res = await this.uploads.finish(repo, uuid, digest, body);
    await this.link(repo, res.digest);
    return res;
  }

  // --- manifests

  /** Resolves a tag or digest to a stored manifest of `repo`. */
  async manifest(repo: string, ref: string): Promise<StoredManifest> {
    const unknown = () => regError('MANIFEST_UNKNOWN', 'manifest unknown', { name: repo, reference: ref });
    let digest = ref;
    if (!ref.includes(':')) {
      if (!isTag(ref)) throw regError('MANIFEST_INVALID', 'invalid tag', { tag: ref });
      const target = (await this.repos.resolveTag(repo, ref)) ?? (await this.localManifest(repo, ref));
      if (!target) throw unknown();
      digest = target;
    }
    const d = parseDigest(digest);
    const rev = await this.repos.revision(repo, d);
    if (!rev) throw unknown();
    return { digest: d.digest, mediaType: rev.mediaType, size: rev.size, subject: rev.subject };
  }

  /**
   * berthd's image `repo:tag` as a manifest: stored as a revision (so it can be fetched by digest later, and
   * its blobs count as the registry's), never as a tag (berthd's tags stay the truth). Undefined when there
   * is no such image or a layer tar is not in the store.
   */
  private async localManifest(repo: string, tag: string): Promise<string | undefined> {
    const img = this.localImages?.lookup(`${localRefName(repo)}:${tag}`);
    if (!img) return undefined;
    const config = await this.blobs.size(parseDigest(img.id));
    const layers: number[] = [];
    for (const d of img.diffIds) {
      const size = await this.blobs.size(parseDigest(d));
      if (size === undefined || config === undefined) return undefined;
      layers.push(size);
    }
    if (config === undefined) return undefined;
    const m = localManifest(img, { config, layers });
    const d = parseDigest(m.digest);
    if (!(await this.repos.revision(repo, d))) {
      this.referenced?.add(m.digest);
      await this.blobs.writeBuffer(m.body, d);
      await this.repos.putRevision(repo, d, { mediaType: m.mediaType, size: m.body.length });
    }
    return m.digest;
  }

  /** Whether the repository has anything (pushed, or one of berthd's images). */
  repoExists(repo: string): boolean {
    return this.repos.exists(repo) || this.localTags(repo).length > 0;
  }

  private localTags(repo: string): string[] {
    if (!this.localImages) return [];
    const name = localRefName(repo);
    return this.localImages.refs().map(splitLocalRef).filter((r) => r?.name === name).map((r) => r!.tag);
  }

  /** Tags in lexical order: pushed ones and berthd's. */
  async tags(repo: string): Promise<string[]> {
    return [...new Set([...(await this.repos.tags(repo)), ...this.localTags(repo)])].sort();
  }

  /** Repository names in lexical order: pushed ones and berthd's. */
  async repoNames(): Promise<string[]> {
    const local = (this.localImages?.refs() ?? []).map(splitLocalRef).filter((r) => r !== undefined).map((r) => r!.name).filter(isRepoName);
    return [...new Set([...(await this.repos.names()), ...local])].sort();
  }

  async manifestBody(m: StoredManifest): Promise<Buffer> {
    return this.blobs.read(parseDigest(m.digest));
  }

  /**
   * Stores a manifest under `ref` (a tag, or the digest it must have) plus any extra `tags`: checks it parses,
   * references only content the repository has, and has the digest it is pushed under.
   */
  async putManifest(repo: string, ref: string, body: Buffer, contentType: string | undefined, tags: string[] = []): Promise<StoredManifest> {
    if (body.length > MAX_MANIFEST_BYTES) throw new RegistryError('SIZE_INVALID', 'manifest too large', { limit: MAX_MANIFEST_BYTES }, 413);
    const byDigest = ref.includes(':');
    const allTags = byDigest ? tags : [ref, ...tags];
    for (const t of allTags) if (!isTag(t)) throw regError('MANIFEST_INVALID', 'invalid tag', { tag: t });
    const d = byDigest ? parseDigest(ref) : parseDigest(digestOf(body));
    if (byDigest && digestOf(body, d.algorithm) !== d.digest) throw regError('DIGEST_INVALID', 'provided digest did not match uploaded content', { expected: d.digest, actual: digestOf(body, d.algorithm) });
    const m = parseManifest(body, contentType);
    for (const b of m.blobs) {
      if ((await this.blobSize(repo, parseDigest(b.digest))) === undefined) throw regError('MANIFEST_BLOB_UNKNOWN', 'blob unknown to registry', { digest: b.digest });
    }
    for (const c of m.manifests) {
      if (!(await this.repos.revision(repo, parseDigest(c.digest)))) throw regError('MANIFEST_BLOB_UNKNOWN', 'manifest unknown to registry', { digest: c.digest });
    }
    this.referenced?.add(d.digest);
    await this.blobs.writeBuffer(body, d);
    await this.repos.putRevision(repo, d, { mediaType: m.mediaType, size: body.length, ...(m.subject ? { subject: m.subject.digest } : {}) });
    if (m.subject) {
      const desc: Descriptor = {
        mediaType: m.mediaType, digest: d.digest, size: body.length,
        ...(m.artifactType ? { artifactType: m.artifactType } : {}),
        ...(m.annotations ? { annotations: m.annotations } : {}),
      };
      await this.repos.addReferrer(repo, parseDigest(m.subject.digest), desc);
    }
    for (const t of allTags) await this.repos.setTag(repo, t, d.digest);
    return { digest: d.digest, mediaType: m.mediaType, size: body.length, subject: m.subject?.digest };
  }

  /** By digest: the manifest and its tags go. By tag: only the tag. */
  async deleteManifest(repo: string, ref: string): Promise<void> {
    if (ref.includes(':')) {
      if (!(await this.repos.deleteRevision(repo, parseDigest(ref)))) throw regError('MANIFEST_UNKNOWN', 'manifest unknown', { reference: ref });
      return;
    }
    if (!isTag(ref)) throw regError('MANIFEST_INVALID', 'invalid tag', { tag: ref });
    if (!(await this.repos.deleteTag(repo, ref))) throw regError('MANIFEST_UNKNOWN', 'manifest unknown', { reference: ref });
  }

  async referrers(repo: string, subject: ParsedDigest, artifactType?: string): Promise<Descriptor[]> {
    const all = await this.repos.referrers(repo, subject);
    return artifactType === undefined ? all : all.filter((r) => r.artifactType === artifactType);
  }
}
