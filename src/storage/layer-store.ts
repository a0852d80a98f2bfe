// Layer store: each layer is unpacked once, into <root>/layers/<chainid-hex>/diff, and shared by every image
// whose layer stack reaches it. The uncompressed tar is kept in the content store under its diffID so `save`
// reproduces identical digests. A layer directory appears under its final name only once it is complete.
import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { mkdir, rename, rm, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { readJson, writeJsonAtomic } from '../util/atomic-file.js';
import { internal, invalidArgument } from '../errors.js';
import type { ContentStore } from './content-store.js';
import { maybeDecompress } from './compression.js';
import { applyTar } from './tar-apply.js';
import { digestHex, sha256Digest } from './digest.js';
import { compressionOfMediaType, decompress } from './layer-decompress.js';
import type { UnpackResult } from './unpack-pool.js';

export interface LayerInfo {
  chainId: string;
  diffId: string;
  parent: string | null;
  /** Bytes of file content in this layer alone. */
  size: number;
  /** Bytes of the uncompressed tar. */
  tarSize: number;
  /**
   * The compressed blob the layer was pulled as, kept in the layer's directory instead of the uncompressed
   * tar (push sends it as is; save decompresses it).
   */
  blob?: { digest: string; mediaType: string; size: number };
}

/** A compressed copy of the layer to keep with it (a pulled blob, already verified). */
export interface KeptBlob { path: string; digest: string; mediaType: string; size: number }

export class LayerStore {
  private readonly dir: string;
  private readonly pending = new Map<string, Promise<LayerInfo>>();

  constructor(root: string, private readonly content: ContentStore) {
    this.dir = join(root, 'layers');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  diffDir(chainId: string): string {
    return join(this.dir, digestHex(chainId), 'diff');
  }

  has(chainId: string): boolean {
    return existsSync(join(this.dir, digestHex(chainId), 'layer.json'));
  }

  async info(chainId: string): Promise<LayerInfo> {
    try { return await readJson<LayerInfo>(join(this.dir, digestHex(chainId), 'layer.json')); } catch (err) {
      throw internal(`layer ${chainId} is missing or damaged`, err);
    }
  }

  /**
   * Stores a layer tar (plain or gzip) on top of `parent` (a chainID or null). Verifies the diffID when
   * `expectedDiffId` is given. Returns the existing layer when this chain is already unpacked.
   */
  async add(parent: string | null, input: Readable, expectedDiffId?: string): Promise<LayerInfo & { existed: boolean }> {
    const plain = await maybeDecompress(input);
    const blob = await this.content.writeStream(plain, expectedDiffId);
    const chainId = parent === null ? blob.digest : sha256Digest(`${parent} ${blob.digest}`);
    if (this.has(chainId)) return { ...(await this.info(chainId)), existed: true };
    let job = this.pending.get(chainId);
    if (!job) {
      job = this.unpack(chainId, blob.digest, parent, blob.size).finally(() => this.pending.delete(chainId));
      this.pending.set(chainId, job);
    }
    try {
      return { ...(await job), existed: false };
    } catch (err) {
      // A refused or broken layer leaves nothing behind, unless the tar was already stored for another chain.
      if (blob.created) await this.content.delete(blob.digest);
      throw err;
    }
  }

  /**
   * Unpacks a layer whose diffID is known in advance while its blob downloads: `unpack` fills the directory
   * it is given (src/storage/unpack-pool.ts: in a worker thread) and reports the tar's digest, checked here.
   * `keep` (the verified compressed blob) then moves into the layer's directory and stands in for the
   * uncompressed tar. The layer appears under its chainID only after the digest matched and the unpack
   * finished; anything else leaves nothing behind.
   */
  async ingest(parent: string | null, diffId: string, keep: KeptBlob, unpack: (dir: string) => Promise<UnpackResult>): Promise<LayerInfo & { existed: boolean }> {
    const chainId = parent === null ? diffId : sha256Digest(`${parent} ${diffId}`);
    if (this.has(chainId)) return { ...(await this.info(chainId)), existed: true };
    const tmp = join(this.dir, `.tmp-${digestHex(chainId).slice(0, 12)}-${randomBytes(4).toString('hex')}`);
    const final = join(this.dir, digestHex(chainId));
    try {
      await mkdir(join(tmp, 'diff'), { recursive: true, mode: 0o755 });
      const applied = await unpack(join(tmp, 'diff'));
      if (applied.digest !== diffId) throw invalidArgument(`failed to register layer: layer content does not match diffID ${diffId} in the image config (got ${applied.digest})`);
      if (this.has(chainId)) { await rm(tmp, { recursive: true, force: true }); return { ...(await this.info(chainId)), existed: true }; }
      const info: LayerInfo = { chainId, diffId, parent, size: applied.size, tarSize: applied.tarSize, blob: { digest: keep.digest, mediaType: keep.mediaType, size: keep.size } };
      await rename(keep.path, join(tmp, 'blob'));
      await writeJsonAtomic(join(tmp, 'layer.json'), info);
      await rm(final, { recursive: true, force: true });
      await rename(tmp, final);
      return { ...info, existed: false };
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  /** The layer's uncompressed tar: the stored one, or its kept compressed blob decompressed. */
  async openDiffTar(chainId: string): Promise<Readable> {
    const info = await this.info(chainId);
    if (this.content.has(info.diffId) || !info.blob) return this.content.openRead(info.diffId);
    return decompress(createReadStream(join(this.dir, digestHex(chainId), 'blob'), { highWaterMark: 1 << 20 }), compressionOfMediaType(info.blob.mediaType));
  }

  /** The kept compressed blob of a pulled layer, if it has one. */
  blobPath(chainId: string): string {
    return join(this.dir, digestHex(chainId), 'blob');
  }

  /** Unpacks the stored diff tar into a temp dir, then renames it into place. */
  private async unpack(chainId: string, diffId: string, parent: string | null, tarSize: number): Promise<LayerInfo> {
    const tmp = join(this.dir, `.tmp-${digestHex(chainId).slice(0, 12)}-${randomBytes(4).toString('hex')}`);
    const final = join(this.dir, digestHex(chainId));
    try {
      await mkdir(join(tmp, 'diff'), { recursive: true, mode: 0o755 });
      const { size } = await applyTar(this.content.openRead(diffId), join(tmp, 'diff'));
      const info: LayerInfo = { chainId, diffId, parent, size, tarSize };
      await writeJsonAtomic(join(tmp, 'layer.json'), info);
      await rm(final, { recursive: true, force: true });
      await rename(tmp, final);
      return info;
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  async list(): Promise<string[]> {
    return (await readdir(this.dir)).filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }

  async remove(chainId: string): Promise<void> {
    const final = join(this.dir, digestHex(chainId));
    // Rename first so a crash never leaves a half-deleted layer under its real name.
    const doomed = join(this.dir, `.del-${digestHex(chainId).slice(0, 12)}-${randomBytes(4).toString('hex')}`);
    await rename(final, doomed).catch(() => undefined);
    await rm(doomed, { recursive: true, force: true });
  }

  /** Removes leftovers of interrupted unpacks and deletes. */
  async cleanTemp(): Promise<void> {
    for (const n of await readdir(this.dir)) {
      if (n.startsWith('.tmp-') || n.startsWith('.del-')) await rm(join(this.dir, n), { recursive: true, force: true });
    }
  }
}
