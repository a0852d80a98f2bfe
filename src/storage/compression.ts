// Layer and import bodies may be plain tar or gzip: sniff the magic bytes and decompress when needed.
import { createGunzip } from 'node:zlib';
import { PassThrough, Readable } from 'node:stream';
import { invalidArgument } from '../errors.js';

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Returns a stream of the uncompressed bytes of `input` (gzip detected by its magic, else `input` itself).
 * Errors (bad gzip data as invalidArgument, source errors as they are) surface on the returned stream
 * whenever its reader starts, never as an unhandled 'error' event.
 */
export async function maybeDecompress(input: Readable): Promise<Readable> {
  const head = await readHead(input, 2);
  const isGzip = head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  let source = input;
  if (input.readableEnded) source = Readable.from(head.length ? [head] : []);
  else if (head.length) input.unshift(head);
  // Readers see errors through iteration/pipe; these listeners only stop an early one from crashing us.
  source.on('error', () => undefined);
  if (!isGzip) return source;
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  out.on('error', () => undefined);
  const gunzip = createGunzip();
  source.on('error', (err) => out.destroy(err));
  gunzip.on('error', (err: NodeJS.ErrnoException) => {
    out.destroy(err.code?.startsWith('Z_') ? invalidArgument(`invalid gzip data: ${err.message}`) : err);
  });
  source.pipe(gunzip).pipe(out);
  return out;
}

/** Reads at least `n` bytes (or to the end) and leaves the stream paused. */
async function readHead(input: Readable, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let have = 0;
  while (have < n) {
    const chunk = await new Promise<Buffer | null>((resolve, reject) => {
      const onReadable = () => { const c = input.read() as Buffer | null; if (c !== null) { cleanup(); resolve(c); } };
      const onEnd = () => { cleanup(); resolve(null); };
      const onError = (err: Error) => { cleanup(); reject(err); };
      const cleanup = () => { input.off('readable', onReadable); input.off('end', onEnd); input.off('error', onError); };
      input.on('readable', onReadable); input.once('end', onEnd); input.once('error', onError);
      onReadable();
    });
    if (chunk === null) break;
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    have += chunk.length;
  }
  return Buffer.concat(chunks);
}
