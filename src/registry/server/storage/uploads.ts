// Upload sessions: <root>/uploads/<uuid>/{data,info.json}. Bytes are appended (and hashed) as they arrive;
// a blob becomes visible only when the final PUT's digest matches what was written, and then by a rename
// into the blob store. Sessions survive a restart of the server (the hash is then recomputed from the file).
import { randomUUID, type Hash } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { regError } from '../errors.js';
import { parseDigest, type ParsedDigest } from '../names.js';
import { newHash, type BlobStore } from './blob-store.js';

interface LiveSession {
  repo: string;
  offset: number;
  /** Running sha256 of the bytes so far; absent after a restart or a failed write. */
  hash?: Hash;
  busy: boolean;
}

export interface UploadState { uuid: string; offset: number }

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class UploadStore {
  private readonly dir: string;
  private readonly live = new Map<string, LiveSession>();

  constructor(root: string, private readonly blobs: BlobStore) {
    this.dir = join(root, 'uploads');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  async create(repo: string): Promise<UploadState> {
    const uuid = randomUUID();
    await mkdir(join(this.dir, uuid), { mode: 0o700 });
    await writeFile(join(this.dir, uuid, 'data'), '', { mode: 0o600 });
    await writeFile(join(this.dir, uuid, 'info.json'), JSON.stringify({ repo, startedAt: new Date().toISOString() }), { mode: 0o600 });
    this.live.set(uuid, { repo, offset: 0, hash: newHash('sha256'), busy: false });
    return { uuid, offset: 0 };
  }

  async state(repo: string, uuid: string): Promise<UploadState> {
    const s = await this.session(repo, uuid);
    return { uuid, offset: s.offset };
  }

  /**
   * Appends `body` to the session. `start`, when given (a PATCH's Content-Range), must be the current
   * offset: chunks arrive in order or not at all. Returns the new offset.
   */
  async append(repo: string, uuid: string, body: Readable, start?: number): Promise<UploadState> {
    const s = await this.session(repo, uuid);
    if (start !== undefined && start !== s.offset) throw regError('RANGE_INVALID', 'requested range not satisfiable', { expected: s.offset, got: start });
    return this.exclusive(s, uuid, async () => {
      await this.write(s, uuid, body);
      return { uuid, offset: s.offset };
    });
  }

  /** Appends the last bytes (if any), verifies the digest, moves the blob into the store, ends the session. */
  async finish(repo: string, uuid: string, digest: string, body?: Readable): Promise<{ digest: ParsedDigest; size: number }> {
    const d = parseDigest(digest);
    const s = await this.session(repo, uuid);
    return this.exclusive(s, uuid, async () => {
      if (body) await this.write(s, uuid, body);
      const data = join(this.dir, uuid, 'data');
      const actual = d.algorithm === 'sha256' && s.hash ? `sha256:${s.hash.copy().digest('hex')}` : await hashFile(data, d);
      if (actual !== d.digest) {
        await this.cancel(repo, uuid);
        throw regError('DIGEST_INVALID', 'provided digest did not match uploaded content', { expected: d.digest, actual });
      }
      await this.blobs.adopt(data, d);
      await this.drop(uuid);
      return { digest: d, size: s.offset };
    });
  }

  async cancel(repo: string, uuid: string): Promise<void> {
    await this.session(repo, uuid);
    await this.drop(uuid);
  }

  /** Forgets the session and deletes its bytes. */
  async drop(uuid: string): Promise<void> {
    this.live.delete(uuid);
    await rm(join(this.dir, uuid), { recursive: true, force: true });
  }

  /** Deletes sessions started more than `maxAgeMs` ago (abandoned pushes); returns how many. */
  async purge(maxAgeMs: number, dryRun = false): Promise<number> {
    let n = 0;
    const now = Date.now();
    for (const uuid of await readdir(this.dir)) {
      if (!UUID_RE.test(uuid) || this.live.get(uuid)?.busy) continue;
      let started = 0;
      try { started = Date.parse((JSON.parse(await readFile(join(this.dir, uuid, 'info.json'), 'utf8')) as { startedAt: string }).startedAt); } catch { /* unreadable: abandoned */ }
      if (now - (Number.isNaN(started) ? 0 : started) < maxAgeMs) continue;
      n++;
      if (!dryRun) await this.drop(uuid);
    }
    return n;
  }

  private async exclusive<T>(s: LiveSession, uuid: string, fn: () => Promise<T>): Promise<T> {
    // One writer per session: a second PATCH racing the first would interleave bytes.
    if (s.busy) throw regError('BLOB_UPLOAD_INVALID', 'upload is busy with another request', { uuid });
    s.busy = true;
    try { return await fn(); } finally { s.busy = false; }
  }

  private async write(s: LiveSession, uuid: string, body: Readable): Promise<void> {
    const fh = await open(join(this.dir, uuid, 'data'), 'a');
    try {
      for await (const chunk of body) {
        const buf = chunk as Buffer;
        await fh.write(buf);
        s.offset += buf.length;
        s.hash?.update(buf);
      }
    } catch (err) {
      // What reached the file stays (the client may resume from the reported offset); the running hash
      // may not match it any more, so it is recomputed at the end.
      s.offset = (await fh.stat()).size;
      s.hash = undefined;
      throw err;
    } finally {
      await fh.close();
    }
  }

  private async session(repo: string, uuid: string): Promise<LiveSession> {
    const unknown = () => regError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry', { uuid });
    if (!UUID_RE.test(uuid)) throw unknown();
    let s = this.live.get(uuid);
    if (!s) {
      // A session from before a restart.
      try {
        const info = JSON.parse(await readFile(join(this.dir, uuid, 'info.json'), 'utf8')) as { repo: string };
        const size = (await stat(join(this.dir, uuid, 'data'))).size;
        s = { repo: info.repo, offset: size, busy: false };
        this.live.set(uuid, s);
      } catch {
        throw unknown();
      }
    }
    if (s.repo !== repo) throw unknown();
    return s;
  }
}

async function hashFile(path: string, d: ParsedDigest): Promise<string> {
  const h = newHash(d.algorithm);
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return `${d.algorithm}:${h.digest('hex')}`;
}
