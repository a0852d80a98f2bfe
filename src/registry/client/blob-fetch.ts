// Downloads one blob, verifying its digest while it streams. The bytes also land in a partial file, so an
// interrupted pull (dropped connection, dead registry, berthd killed) keeps them: the next attempt re-reads
// that prefix and asks the registry for the rest with HTTP Range. A dropped connection is resumed in place
// up to a few times; the consumer sees one continuous stream and an error only if the blob is wrong.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { stat, truncate, unlink } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { BerthError, invalidArgument } from '../../errors.js';
import { registryError, type RegistrySession } from './session.js';
import type { Descriptor } from './manifest.js';

const RESUME_ATTEMPTS = 3;

async function sizeOf(path: string): Promise<number> {
  try { return (await stat(path)).size; } catch { return 0; }
}

export interface BlobFetch {
  /** Compressed bytes; fails instead of ending when the digest does not match. */
  stream: Readable;
  /** Bytes already on disk from an earlier attempt. */
  resumedFrom: number;
}

async function get(s: RegistrySession, repo: string, digest: string, from: number): Promise<IncomingMessage> {
  const headers: Record<string, string> = from > 0 ? { Range: `bytes=${from}-` } : {};
  const res = await s.request(`/v2/${repo}/blobs/${digest}`, { headers, scope: `repository:${repo}:pull` });
  if (res.statusCode === 200 || res.statusCode === 206) return res;
  throw await registryError(res, `fetching blob ${digest}`);
}

/** True when the answer continues at `from` (206 with the right Content-Range). */
function continuesAt(res: IncomingMessage, from: number): boolean {
  return res.statusCode === 206 && new RegExp(`^bytes ${from}-`).test(String(res.headers['content-range'] ?? ''));
}

/**
 * Opens the blob `d` for reading, resuming from `partial` when it holds a prefix. `onBytes` gets the
 * running count of verified-so-far bytes (including the resumed prefix).
 */
export async function fetchBlob(s: RegistrySession, repo: string, d: Descriptor, partial: string, onBytes: (n: number) => void): Promise<BlobFetch> {
  let have = await sizeOf(partial);
  if (have > d.size) { await truncate(partial, 0); have = 0; }
  let first: IncomingMessage | undefined;
  if (have < d.size) {
    first = await get(s, repo, d.digest, have);
    if (have > 0 && !continuesAt(first, have)) {
      if (first.statusCode !== 200) { first.resume(); first = await get(s, repo, d.digest, 0); }
      await truncate(partial, 0);
      have = 0;
    }
  }
  const resumedFrom = have;
  async function* bytes(): AsyncGenerator<Buffer> {
    const hash = createHash('sha256');
    let n = 0;
    if (have > 0) {
      for await (const c of createReadStream(partial, { end: have - 1, highWaterMark: 1 << 20 })) { hash.update(c as Buffer); n += (c as Buffer).length; onBytes(n); yield c as Buffer; }
    }
    // Appends without waiting for each write (the stream batches them); backpressure still holds.
    const out = createWriteStream(partial, { flags: 'a', mode: 0o600, highWaterMark: 4 << 20 });
    const outError = new Promise<never>((_, reject) => out.once('error', reject));
    outError.catch(() => undefined);
    try {
      let res = first;
      for (let attempt = 0; n < d.size; attempt++) {
        if (!res) {
          if (attempt > RESUME_ATTEMPTS) throw new BerthError('internal', `download of ${d.digest} failed: connection lost ${attempt} times`);
          res = await get(s, repo, d.digest, n);
          if (!continuesAt(res, n)) { res.resume(); throw new BerthError('internal', `download of ${d.digest} cannot resume: the registry ignored the Range request`); }
        }
        try {
          for await (const c of res) {
            const buf = c as Buffer;
            if (n + buf.length > d.size) throw invalidArgument(`filesystem layer verification failed for digest ${d.digest}: more bytes than the manifest's ${d.size}`);
            hash.update(buf);
            if (!out.write(buf)) await Promise.race([once(out, 'drain'), outError]);
            n += buf.length;
            onBytes(n);
            yield buf;
          }
          if (n < d.size) throw new Error('connection closed early');
        } catch (err) {
          if (err instanceof BerthError) throw err;
          res = undefined; // dropped: ask again for the rest
          if (attempt >= RESUME_ATTEMPTS) throw new BerthError('internal', `download of ${d.digest} failed after ${n} of ${d.size} bytes: ${(err as Error).message}`);
        }
      }
    } finally {
      await new Promise<void>((resolve) => out.end(resolve));
    }
    const got = 'sha256:' + hash.digest('hex');
    if (got !== d.digest) {
      await unlink(partial).catch(() => undefined);
      throw invalidArgument(`filesystem layer verification failed for digest ${d.digest}: got ${got}`);
    }
  }
  return { stream: Readable.from(bytes(), { objectMode: false, highWaterMark: 1 << 20 }), resumedFrom };
}

/** A small blob (the image config) read whole and verified. */
export async function fetchSmallBlob(s: RegistrySession, repo: string, d: Descriptor, limit = 16 << 20): Promise<Buffer> {
  if (d.size > limit) throw invalidArgument(`blob ${d.digest} is larger than ${limit} bytes`);
  const res = await get(s, repo, d.digest, 0);
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res) { n += (c as Buffer).length; if (n > limit) { res.destroy(); throw invalidArgument(`blob ${d.digest} is larger than ${limit} bytes`); } chunks.push(c as Buffer); }
  const buf = Buffer.concat(chunks);
  const got = 'sha256:' + createHash('sha256').update(buf).digest('hex');
  if (got !== d.digest) throw invalidArgument(`image config verification failed for digest ${d.digest}: got ${got}`);
  return buf;
}
