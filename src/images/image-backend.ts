// The state and building blocks of the image service: the stores, reference lookup, leases that keep
// digests from garbage collection, adding layers and committing image records. The operations
// (image-delete.ts, image-load.ts, ...) are written against this class, and ImageService (image-service.ts)
// extends it with them, so no helper imports the service that calls it.
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { EventBus } from '../model/events.js';
import { invalidArgument, notFound, internal, conflict } from '../errors.js';
import { ContentStore } from '../storage/content-store.js';
import { LayerStore, type LayerInfo } from '../storage/layer-store.js';
import { chainIds, sha256Digest } from '../storage/digest.js';
import { ImageStore } from './image-store.js';
import { parseReference, familiarName, familiarString, withDefaultTag, isFullHexId, normalizeTagged, displayRef } from './reference.js';
import type { ImageConfigJson, ImageRecord } from '../model/image.js';

export interface ImageServiceOptions {
  /** Data root of berthd; the image store lives under it. */
  dataRoot: string;
  events: EventBus;
  /** IDs of images that containers (any state) use; removal of those needs force. */
  imagesInUse: () => Set<string>;
  /**
   * Containers using an image, for Docker's conflict messages (which name the container and whether it
   * runs). Optional: when it gives nothing, `imagesInUse` still counts (as a stopped, unnamed container).
   */
  imageUsers?: (imageId: string) => Array<{ id: string; running: boolean }>;
  /** Create `busybox:latest` from the host's busybox-static when no busybox image exists (default true). */
  seedBusybox?: boolean;
}

/** What lease() returns: digests held until release(); `image` when the lease was taken on an image. */
export interface ImageLease {
  image?: ImageRecord;
  add: (...digests: string[]) => void;
  release: () => void;
}

export class ImageBackend {
  readonly content: ContentStore;
  readonly layers: LayerStore;
  readonly store: ImageStore;
  readonly root: string;
  /** Digests (chain IDs, diff IDs) that imports in flight rely on; garbage collection leaves them alone. */
  private readonly pins = new Map<string, number>();
  private activeLeases = 0;
  private readonly blobKeepers: Array<(digest: string) => boolean> = [];

  constructor(readonly opts: ImageServiceOptions) {
    this.root = join(opts.dataRoot, 'image');
    this.content = new ContentStore(this.root);
    this.layers = new LayerStore(this.root, this.content);
    this.store = new ImageStore(this.root, this.content);
  }

  // ---- the ImageProvider contract ----

  async resolve(ref: string): Promise<ImageRecord> {
    const id = this.findId(ref);
    const rec = id ? this.store.record(id) : undefined;
    if (!rec) throw notFound(`No such image: ${displayRef(ref)}`);
    return rec;
  }

  async layerDirs(image: ImageRecord): Promise<string[]> {
    const dirs: string[] = [];
    for (const chain of chainIds(image.config.rootfs.diff_ids)) {
      if (!this.layers.has(chain)) throw internal(`layer ${chain} of image ${image.id} is missing`);
      dirs.push(this.layers.diffDir(chain));
    }
    return dirs.reverse();
  }

  /** Number of images, for /info. */
  count(): number {
    return this.store.ids().length;
  }

  // ---- lookup ----

  /** The image ID `ref` names, or undefined. Throws invalidArgument for malformed references. */
  findId(ref: string): string | undefined {
    if (/^sha256:[a-f0-9]{64}$/.test(ref)) return this.store.has(ref) ? ref : undefined;
    if (isFullHexId(ref)) return this.store.has(`sha256:${ref}`) ? `sha256:${ref}` : undefined;
    let parseError: unknown;
    try {
      const key = familiarString(withDefaultTag(parseReference(ref)));
      const hit = this.store.refTarget(key);
      if (hit) return hit;
    } catch (err) {
      parseError = err;
    }
    const m = /^(?:sha256:)?([a-f0-9]{1,64})$/.exec(ref);
    if (m) {
      const matches = this.store.ids().filter((id) => id.slice(7).startsWith(m[1]));
      if (matches.length === 1) return matches[0];
      if (matches.length > 1) throw invalidArgument(`ambiguous image ID prefix ${ref}`);
      return undefined;
    }
    if (parseError) throw parseError;
    return undefined;
  }

  /** True when `ref` named the image by (a prefix of) its ID rather than by a repository reference. */
  isIdRef(ref: string, id: string): boolean {
    const hex = ref.replace(/^sha256:/, '');
    return /^[a-f0-9]+$/.test(hex) && id.slice(7).startsWith(hex) && !this.refNamesImage(ref, id);
  }

  private refNamesImage(ref: string, id: string): boolean {
    try { return this.store.refTarget(normalizeTagged(ref)) === id; } catch { return false; }
  }

  // ---- building blocks for load, import and the seed ----

  /**
   * Keeps digests safe from garbage collection until the returned lease is released. With `ref`, the
   * lease also holds that image (resolved now, NotFound if unknown): `rmi` (even -f) and `image prune -a`
   * leave it and its layers until release. Create, pull and build take one for the image they work on.
   */
  lease(ref?: string): ImageLease {
    const held: string[] = [];
    let released = false;
    const image = ref === undefined ? undefined : this.store.record(this.findId(ref) ?? '');
    if (ref !== undefined && !image) throw notFound(`No such image: ${displayRef(ref)}`);
    this.activeLeases++;
    const lease: ImageLease = {
      image,
      add: (...digests) => { for (const d of digests) { held.push(d); this.pins.set(d, (this.pins.get(d) ?? 0) + 1); } },
      release: () => {
        if (!released) { released = true; this.activeLeases--; }
        for (const d of held.splice(0)) {
          const n = (this.pins.get(d) ?? 1) - 1;
          if (n <= 0) this.pins.delete(d); else this.pins.set(d, n);
        }
      },
    };
    if (image) lease.add(image.id, ...image.config.rootfs.diff_ids, ...chainIds(image.config.rootfs.diff_ids));
    return lease;
  }

  /** True while a lease holds image `id` (its config digest is pinned). */
  isLeased(id: string): boolean {
    return this.pins.has(id);
  }

  isPinned(digest: string): boolean {
    return this.pins.has(digest) || this.blobKeepers.some((keep) => keep(digest));
  }

  /** Another user of the content store (berthd's registry server) keeps the blobs `keep` names. */
  addBlobKeeper(keep: (digest: string) => boolean): void {
    this.blobKeepers.push(keep);
  }

  /** True while an import, load or seed runs (a full sweep would race with its unpinned blobs). */
  importsInFlight(): boolean {
    return this.activeLeases > 0;
  }

  /** Stores layer tars (bottom first) as a chain; `expectedDiffIds` verifies each one. */
  async addLayers(tars: Readable[], lease: { add: (...d: string[]) => void }, expectedDiffIds?: string[]): Promise<LayerInfo[]> {
    const out: LayerInfo[] = [];
    let parent: string | null = null;
    for (let i = 0; i < tars.length; i++) {
      const info = await this.layers.add(parent, tars[i], expectedDiffIds?.[i]);
      lease.add(info.chainId, info.diffId);
      out.push(info);
      parent = info.chainId;
    }
    return out;
  }

  /** Writes the config blob and the image record; the layers must already be stored. */
  async commitImage(configBytes: Buffer, layers?: LayerInfo[], parent?: string): Promise<ImageRecord> {
    let config: ImageConfigJson;
    try { config = JSON.parse(configBytes.toString('utf8')) as ImageConfigJson; } catch {
      throw invalidArgument('invalid image config: not JSON');
    }
    if (!config.rootfs || !Array.isArray(config.rootfs.diff_ids)) throw invalidArgument('invalid image config: no rootfs.diff_ids');
    const chains = chainIds(config.rootfs.diff_ids);
    let size = 0;
    for (const chain of chains) {
      if (!this.layers.has(chain)) throw invalidArgument(`layer ${chain} is not stored`);
      size += layers?.find((l) => l.chainId === chain)?.size ?? (await this.layers.info(chain)).size;
    }
    const { digest } = await this.content.writeBuffer(configBytes);
    const existing = this.store.meta(digest);
    if (!existing) await this.store.put({ id: digest, size, loadedAt: new Date().toISOString(), ...(parent ? { parent } : {}) }, config);
    const rec = this.store.record(digest);
    if (!rec) throw internal(`image ${digest} vanished`);
    return rec;
  }

  /** Points a normalized `name:tag` at an image; the image it came from keeps its other references. */
  async setTag(key: string, id: string): Promise<void> {
    if (key.includes('@')) throw invalidArgument('refusing to create a tag with a digest reference');
    // `sha256:x` would read as an image ID: Docker's reference store refuses such names for every caller.
    if (familiarName(parseReference(key).name) === 'sha256') throw invalidArgument('refusing to create an ambiguous tag using digest algorithm as name');
    await this.store.setRef(key, id);
  }

  publish(action: string, id: string, name?: string): void {
    this.opts.events.publish('image', action, id, name === undefined ? {} : { name });
  }

  /** Containers using `id`, running ones first. */
  users(id: string): Array<{ id: string; running: boolean }> {
    const users = this.opts.imageUsers?.(id) ?? [];
    if (users.length) return [...users].sort((a, b) => Number(b.running) - Number(a.running));
    return this.opts.imagesInUse().has(id) ? [{ id: '', running: false }] : [];
  }

  /** The chain of some image whose layer has this diffID (layers are stored by chain). */
  private chainOfDiff(diffId: string): string | undefined {
    for (const rec of this.store.records()) {
      const k = rec.config.rootfs.diff_ids.indexOf(diffId);
      if (k >= 0) { const chain = chainIds(rec.config.rootfs.diff_ids)[k]; if (this.layers.has(chain)) return chain; }
    }
    return undefined;
  }

  /** Bytes of a layer's uncompressed tar, by diffID (pulled layers keep only their compressed blob). */
  async diffTarSize(diffId: string): Promise<number> {
    if (this.content.has(diffId)) return await this.content.size(diffId);
    const chain = this.chainOfDiff(diffId);
    if (!chain) throw notFound(`blob ${diffId} not found`);
    return (await this.layers.info(chain)).tarSize;
  }

  /** A layer's uncompressed tar, by diffID. */
  async openDiffTar(diffId: string): Promise<Readable> {
    if (this.content.has(diffId)) return this.content.openRead(diffId);
    const chain = this.chainOfDiff(diffId);
    if (!chain) throw notFound(`blob ${diffId} not found`);
    return await this.layers.openDiffTar(chain);
  }

  /** Config JSON of an image exactly as stored (the bytes that hash to its ID). */
  async configBytes(id: string): Promise<Buffer> {
    const bytes = await this.content.read(id);
    if (sha256Digest(bytes) !== id) throw internal(`config blob of ${id} is damaged`);
    return bytes;
  }

  assertExists(id: string): void {
    if (!this.store.has(id)) throw conflict(`image ${id} was removed`);
  }
}
