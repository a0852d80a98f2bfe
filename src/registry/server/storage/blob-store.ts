// The registry's blobs, in the content store's layout: <root>/blobs/<algorithm>/<hex>. With berthd's image root
// as <root>, sha256 blobs are the very files berthd's ContentStore reads and writes (both only ever rename a
// verified file into place, so the two can share the directory). sha512 blobs sit beside them.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream, mkdirSync, type ReadStream } from 'node:fs';
import { copyFile, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { DigestAlgorithm, ParsedDigest } from '../names.js';

const ALGORITHMS: DigestAlgorithm[] = ['sha256', 'sha512'];

export function newHash(algorithm: DigestAlgorithm): Hash {
  return createHash(algorithm);
}

export class BlobStore {
  private readonly blobRoot: string;

  constructor(root: string) {
    this.blobRoot = join(root, 'blobs');
    for (const a of ALGORITHMS) mkdirSync(join(this.blobRoot, a), { recursive: true, mode: 0o700 });
  }

  path(d: ParsedDigest): string {
    return join(this.blobRoot, d.algorithm, d.hex);
  }

  /** Size of the blob, or undefined when it is not stored. */
  async size(d: ParsedDigest): Promise<number | undefined> {
    try { return (await stat(this.path(d))).size; } catch { return undefined; }
  }

  async read(d: ParsedDigest): Promise<Buffer> {
    return readFile(this.path(d));
  }

  /** Bytes start..end inclusive (the whole blob without bounds). */
  openRead(d: ParsedDigest, start?: number, end?: number): ReadStream {
    return createReadStream(this.path(d), { start, end });
  }

  /**
   * Moves a file whose content the caller has verified to be `d` into the store. When the blob is already
   * there (a concurrent push of the same blob won), the file is dropped: same digest, same bytes.
   */
  async adopt(file: string, d: ParsedDigest): Promise<void> {
    const target = this.path(d);
    if ((await this.size(d)) !== undefined) { await unlink(file).catch(() => undefined); return; }
    const fh = await open(file, 'r+');
    try { await fh.sync(); } finally { await fh.close(); }
    try {
      await rename(file, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      // Uploads on another filesystem: copy to a temp name beside the target, then rename.
      const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
      await copyFile(file, tmp);
      await rename(tmp, target);
      await unlink(file).catch(() => undefined);
    }
    const dir = await open(join(this.blobRoot, d.algorithm), 'r');
    try { await dir.sync(); } finally { await dir.close(); }
  }

  /** Stores small content (manifests) under its digest, written to a temp file and renamed. */
  async writeBuffer(data: Buffer, d: ParsedDigest): Promise<void> {
    if ((await this.size(d)) !== undefined) return;
    const tmp = `${this.path(d)}.${randomBytes(6).toString('hex')}.tmp`;
    const fh = await open(tmp, 'w', 0o600);
    try { await fh.writeFile(data); } finally { await fh.close(); }
    await this.adopt(tmp, d);
  }

  async delete(d: ParsedDigest): Promise<void> {
    await unlink(this.path(d)).catch(() => undefined);
  }

  /** Every stored digest (`alg:hex`). */
  async list(): Promise<string[]> {
    const out: string[] = [];
    for (const a of ALGORITHMS) {
      const len = a === 'sha256' ? 64 : 128;
      for (const n of await readdir(join(this.blobRoot, a))) if (n.length === len && /^[a-f0-9]+$/.test(n)) out.push(`${a}:${n}`);
    }
    return out;
  }
}

/** Digest of a buffer in the given algorithm, as `alg:hex`. */
export function digestOf(data: Buffer, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}
