// The unpack worker: decompresses one layer, hashes the uncompressed tar (its diffID) and applies it to a
// directory, all on this thread, so berthd's event loop only moves bytes. One job at a time. Its input is
// either chunks from berthd (acked, so the sender can hold back) or a file a download is appending to,
// read here as it grows and hashed here too (the blob's digest), so those bytes never cross threads.
import { parentPort } from 'node:worker_threads';
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import tar from 'tar-stream';
import { BerthError, errorMessage } from '../errors.js';
import { decompress, type Compression } from './layer-decompress.js';
import { applyEntries, asTarFormatError } from './tar-entries.js';
import type { ToMain, ToWorker } from './unpack-protocol.js';

const port = parentPort;
if (!port) throw new Error('unpack-worker runs as a worker thread');
const post = (m: ToMain) => port.postMessage(m);

const READ_SIZE = 1 << 20;

/** A file read up to the size berthd last announced; ends at `end`. Hashes what it reads. */
class GrowingFile extends Readable {
  private readonly fd: number;
  private pos = 0;
  private size = 0;
  private ended = false;
  private waiting = false;
  readonly hash: Hash = createHash('sha256');

  constructor(path: string) {
    super({ highWaterMark: READ_SIZE });
    this.fd = openSync(path, 'r');
  }

  grow(size: number): void { this.size = Math.max(this.size, size); this.wake(); }
  finish(): void { this.ended = true; this.wake(); }

  private wake(): void { if (this.waiting) { this.waiting = false; this._read(); } }

  override _read(): void {
    for (;;) {
      if (this.pos >= this.size) {
        if (this.ended) { this.push(null); return; }
        this.waiting = true;
        return;
      }
      const buf = Buffer.allocUnsafe(Math.min(READ_SIZE, this.size - this.pos));
      let n: number;
      try { n = readSync(this.fd, buf, 0, buf.length, this.pos); } catch (err) { this.destroy(err as Error); return; }
      if (n === 0) { this.destroy(new Error(`layer file shorter than the ${this.size} bytes announced`)); return; }
      this.pos += n;
      const chunk = n === buf.length ? buf : buf.subarray(0, n);
      this.hash.update(chunk);
      if (!this.push(chunk)) return;
    }
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    try { closeSync(this.fd); } catch { /* already closed */ }
    cb(err);
  }
}

let chunks: PassThrough | null = null;
let file: GrowingFile | null = null;

async function run(dest: string, compression: Compression, src: Readable): Promise<ToMain> {
  const plain = decompress(src, compression);
  const hash = createHash('sha256');
  let tarSize = 0;
  const ended = new Promise<void>((resolve, reject) => {
    plain.once('end', resolve);
    plain.once('error', reject);
  });
  ended.catch(() => undefined);
  const extract = tar.extract();
  plain.on('error', (err) => extract.destroy(err));
  // Hashing and unpacking read the same chunks, attached together so neither misses one.
  plain.on('data', (c: Buffer) => { hash.update(c); tarSize += c.length; });
  plain.pipe(extract);
  try {
    const { size } = await applyEntries(extract, dest);
    // The tar may end before its padding does: read to the end, so the digests cover every byte.
    plain.unpipe(extract);
    plain.resume();
    await ended;
    const blobDigest = src instanceof GrowingFile ? 'sha256:' + src.hash.digest('hex') : undefined;
    return { type: 'done', size, tarSize, digest: 'sha256:' + hash.digest('hex'), blobDigest };
  } catch (err) {
    const e = asTarFormatError(err);
    return { type: 'error', kind: e instanceof BerthError ? e.kind : 'internal', message: errorMessage(e) };
  } finally {
    src.destroy();
  }
}

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'job': {
      let src: Readable;
      if (m.file) {
        try { src = file = new GrowingFile(m.file); } catch (err) { post({ type: 'error', kind: 'internal', message: errorMessage(err) }); return; }
      } else {
        src = chunks = new PassThrough({ highWaterMark: 1 << 20 });
      }
      void run(m.dest, m.compression, src).then((r) => { chunks = null; file = null; post(r); });
      return;
    }
    case 'chunk': {
      const n = m.data.byteLength;
      // The callback fires once the chunk has moved on downstream: that is the ack the sender waits for.
      chunks?.write(Buffer.from(m.data.buffer, m.data.byteOffset, n), () => post({ type: 'ack', bytes: n }));
      return;
    }
    case 'grow':
      file?.grow(m.size);
      return;
    case 'end':
      chunks?.end();
      file?.finish();
      return;
  }
});
