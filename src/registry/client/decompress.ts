// Layer decompression by media type: gzip through zlib (off the event loop, in libuv's pool), zstd
// through fzstd (Node 20 has no zstd), or none. Corrupt data fails the stream with invalidArgument.
import { createGunzip } from 'node:zlib';
import { PassThrough, Transform, type Readable, type TransformCallback } from 'node:stream';
import { Decompress } from 'fzstd';
import { invalidArgument } from '../../errors.js';
import type { Compression } from './manifest.js';

class ZstdStream extends Transform {
  private readonly z = new Decompress((data) => { this.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength)); });

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try { this.z.push(chunk); cb(); } catch (err) { cb(invalidArgument(`invalid zstd data: ${(err as Error).message}`)); }
  }

  override _flush(cb: TransformCallback): void {
    try { this.z.push(new Uint8Array(0), true); cb(); } catch (err) { cb(invalidArgument(`invalid zstd data: ${(err as Error).message}`)); }
  }
}

/** The uncompressed stream of `input`; errors of `input` travel to the result. */
export function decompress(input: Readable, how: Compression): Readable {
  if (how === 'none') return input;
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const inner: Transform = how === 'gzip' ? createGunzip({ chunkSize: 256 * 1024 }) : new ZstdStream({ highWaterMark: 1 << 20 });
  inner.on('error', (err: NodeJS.ErrnoException) => out.destroy(err.code?.startsWith('Z_') ? invalidArgument(`invalid gzip data: ${err.message}`) : err));
  input.on('error', (err) => out.destroy(err));
  input.pipe(inner).pipe(out);
  return out;
}
