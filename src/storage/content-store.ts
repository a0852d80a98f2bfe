// Content-addressed blob store: <root>/blobs/sha256/<hex>. Every write is hashed while it streams to a temp
// file on the same filesystem, checked against the expected digest, fsynced and renamed into place, so a
// blob under its name always has exactly that content.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { open, rename, unlink, stat, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { invalidArgument, notFound } from '../errors.js';
import { checkDigest, digestHex } from './digest.js';

export interface BlobInfo { digest: string; size: number; /** False when the blob was already stored. */ created?: boolean }

export class ContentStore {
  private readonly blobDir: string;
  private readonly tmpDir: string;

  constructor(root: string) {
    this.blobDir = join(root, 'blobs', 'sha256');
    this.tmpDir = join(root, 'blobs', 'tmp');
    mkdirSync(this.blobDir, { recursive: true, mode: 0o700 });
    mkdirSync(this.tmpDir, { recursive: true, mode: 0o700 });
  }

  path(digest: string): string {
    return join(this.blobDir, digestHex(digest));
  }

  has(digest: string): boolean {
    return existsSync(this.path(digest));
  }

  async size(digest: string): Promise<number> {
    try { return (await stat(this.path(digest))).size; } catch { throw notFound(`blob ${digest} not found`); }
  }

  async read(digest: string): Promise<Buffer> {
    try { return await readFile(this.path(digest)); } catch { throw notFound(`blob ${digest} not found`); }
  }

  openRead(digest: string): Readable {
    return createReadStream(this.path(digest));
  }

  async writeBuffer(data: Uint8Array, expected?: string): Promise<BlobInfo> {
    const digest = 'sha256:' + createHash('sha256').update(data).digest('hex');
    if (expected !== undefined && checkDigest(expected) !== digest) throw invalidArgument(`digest mismatch: expected ${expected}, got ${digest}`);
    if (this.has(digest)) return { digest, size: data.length };
    const tmp = this.tempPath();
    const fh = await open(tmp, 'w', 0o600);
    try { await fh.writeFile(data); await fh.sync(); } finally { await fh.close(); }
    await this.commit(tmp, digest);
    return { digest, size: data.length };
  }

  /** Streams `input` into the store; rejects (and stores nothing) when `expected` is given and differs. */
  async writeStream(input: Readable, expected?: string): Promise<BlobInfo> {
    if (expected !== undefined) checkDigest(expected);
    const tmp = this.tempPath();
    const hash = createHash('sha256');
    let size = 0;
    const fh = await open(tmp, 'w', 0o600);
    try {
      for await (const chunk of input) {
        const buf = chunk as Buffer;
        hash.update(buf);
        size += buf.length;
        await fh.write(buf);
      }
      await fh.sync();
    } catch (err) {
      await fh.close();
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    await fh.close();
    const digest = 'sha256:' + hash.digest('hex');
    if (expected !== undefined && expected !== digest) {
      await unlink(tmp).catch(() => undefined);
      throw invalidArgument(`digest mismatch: expected ${expected}, got ${digest}`);
    }
    if (this.has(digest)) { await unlink(tmp); return { digest, size, created: false }; }
    await this.commit(tmp, digest);
    return { digest, size, created: true };
  }

  async delete(digest: string): Promise<void> {
    await unlink(this.path(digest)).catch(() => undefined);
  }

  async list(): Promise<string[]> {
    return (await readdir(this.blobDir)).filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }

  /** Drops half-written ingests left by a crash (call before serving requests). */
  async cleanTemp(): Promise<void> {
    for (const n of await readdir(this.tmpDir)) await unlink(join(this.tmpDir, n)).catch(() => undefined);
  }

  private tempPath(): string {
    return join(this.tmpDir, `ingest-${randomBytes(8).toString('hex')}`);
  }

  private async commit(tmp: string, digest: string): Promise<void> {
    await rename(tmp, this.path(digest));
    const dir = await open(this.blobDir, 'r');
    try { await dir.sync(); } finally { await dir.close(); }
  }
}
