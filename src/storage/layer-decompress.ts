// Layer decompression by media type: gzip through zlib (off the event loop, in libuv's pool), zstd
// through fzstd (Node 20 has no zstd), or none. Corrupt data fails the stream with invalidArgument.
import { createGunzip } from 'node:zlib';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { Decompress } from 'fzstd';
import { invalidArgument } from '../errors.js';
export type Compression = 'gzip' | 'zstd' | 'none';

class ZstdStream extends Transform {
  private readonly z = new Decompress((data) => { this.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength)); });

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try { this.z.push(chunk); cb(); } catch (err) { cb(invalidArgument(`invalid zstd data: ${(err as Error).message}`)); }
  }

  override _flush(cb: TransformCallback): void {
    try { this.z.push(new Uint8Array(0), true); cb(); } catch (err) { cb(invalidArgument(`invalid zstd data: ${(err as Error).message}`)); }
  }
}

/** The uncompressed stream of `input`; errors of `input` travel to the result, bad data as invalidArgument. */
export function decompress(input: Readable, how: Compression): Readable {
  if (how === 'none') return input;
  const inner: Transform = how === 'gzip' ? createGunzip({ chunkSize: 256 * 1024 }) : new ZstdStream({ highWaterMark: 1 << 20 });
  const destroy = inner.destroy.bind(inner);
  // zlib reports corrupt data with Z_* codes: that is the layer's fault, not ours.
  inner.destroy = ((err?: Error) => destroy(err && (err as NodeJS.ErrnoException).code?.startsWith('Z_') ? invalidArgument(`invalid gzip data: ${err.message}`) : err)) as typeof inner.destroy;
  input.on('error', (err) => inner.destroy(err));
  input.pipe(inner);
  return inner;
}

/** Compression of a layer blob by its media type (Docker's and OCI's names). */
export function compressionOfMediaType(mediaType: string): Compression {
  if (mediaType.endsWith('+gzip') || mediaType.endsWith('.tar.gzip')) return 'gzip';
  if (mediaType.endsWith('+zstd')) return 'zstd';
  return 'none';
}
