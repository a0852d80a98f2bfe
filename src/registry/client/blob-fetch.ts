// Downloads one blob into a partial file, so an interrupted pull (dropped connection, dead registry, berthd
// killed) keeps the bytes: the next attempt keeps that prefix and asks the registry for the rest with HTTP
// Range. A dropped connection is resumed in place up to a few times. The reader of the partial file (an
// unpack worker) follows it as it grows and checks the digest; small blobs are read whole and verified here.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { open, stat, truncate } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { BerthError, invalidArgument } from '../../errors.js';
import { registryError, type RegistrySession } from './session.js';
import type { Descriptor } from './manifest.js';

const RESUME_ATTEMPTS = 3;

async function sizeOf(path: string): Promise<number> {
  try { return (await stat(path)).size; } catch { return 0; }
}

export interface BlobDownload {
  /** Bytes already on disk from an earlier attempt. */
  resumedFrom: number;
  /**
   * Appends the rest of the blob to the partial file; `onWritten` gets the file's length after each write
   * has landed (readers may then read that far). Resolves when the file holds exactly the manifest's size.
   * The digest is the reader's to check (the unpack worker hashes the file as it reads it).
   */
  run(onWritten: (n: number) => void, signal?: AbortSignal): Promise<void>;
  /** Not needed after all: closes the open answer. */
  abandon(): void;
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

/** Opens the blob `d` for download into `partial`, continuing after the prefix it already holds. */
export async function openBlobDownload(s: RegistrySession, repo: string, d: Descriptor, partial: string): Promise<BlobDownload> {
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
  // The file exists from now on, so its reader can open it before the first byte lands.
  await (await open(partial, 'a', 0o600)).close();
  const run = async (onWritten: (n: number) => void, signal?: AbortSignal): Promise<void> => {
    let n = have;
    if (n >= d.size) { onWritten(n); return; }
    // Appends without waiting for each write (the stream batches them); backpressure still holds.
    const out = createWriteStream(partial, { flags: 'a', mode: 0o600, highWaterMark: 4 << 20 });
    const outError = new Promise<never>((_, reject) => out.once('error', reject));
    outError.catch(() => undefined);
    let written = n;
    const landed = (len: number) => (err?: Error | null) => { if (!err) { written += len; onWritten(written); } };
    let res = first;
    first = undefined;
    const onAbort = () => res?.destroy();
    signal?.addEventListener('abort', onAbort);
    try {
      for (let attempt = 0; n < d.size; attempt++) {
        if (signal?.aborted) throw new BerthError('internal', `download of ${d.digest} stopped`);
        if (!res) {
          if (attempt > RESUME_ATTEMPTS) throw new BerthError('internal', `download of ${d.digest} failed: connection lost ${attempt} times`);
          res = await get(s, repo, d.digest, n);
          if (!continuesAt(res, n)) { res.resume(); throw new BerthError('internal', `download of ${d.digest} cannot resume: the registry ignored the Range request`); }
        }
        try {
          for await (const c of res) {
            const buf = c as Buffer;
            if (n + buf.length > d.size) throw invalidArgument(`filesystem layer verification failed for digest ${d.digest}: more bytes than the manifest's ${d.size}`);
            n += buf.length;
            if (!out.write(buf, landed(buf.length))) await Promise.race([once(out, 'drain'), outError]);
          }
          if (n < d.size) throw new Error('connection closed early');
        } catch (err) {
          if (err instanceof BerthError || signal?.aborted) throw err;
          res = undefined; // dropped: ask again for the rest
          if (attempt >= RESUME_ATTEMPTS) throw new BerthError('internal', `download of ${d.digest} failed after ${n} of ${d.size} bytes: ${(err as Error).message}`);
        }
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await new Promise<void>((resolve) => out.end(resolve));
    }
    await Promise.race([outError, Promise.resolve()]);
    if (written !== d.size) throw new BerthError('internal', `download of ${d.digest}: only ${written} of ${d.size} bytes reached the disk`);
  };
  return { resumedFrom, run, abandon: () => { first?.destroy(); first = undefined; } };
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
