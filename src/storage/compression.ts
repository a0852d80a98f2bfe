// Layer and import bodies may be plain tar or gzip: sniff the magic bytes and decompress when needed.
import { createGunzip } from 'node:zlib';
import { PassThrough, type Readable } from 'node:stream';

const GZIP_MAGIC = [0x1f, 0x8b];

/** Returns a stream of the uncompressed bytes of `input` (gzip detected by its magic, else passed through). */
export async function maybeDecompress(input: Readable): Promise<Readable> {
  const head = await readHead(input, 2);
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const isGzip = head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  const target = isGzip ? createGunzip() : out;
  if (isGzip) {
    target.on('error', (err) => out.destroy(err));
    target.pipe(out);
  }
  input.on('error', (err) => out.destroy(err));
  if (head.length) target.write(head);
  input.pipe(target);
  return out;
}

/** Reads at least `n` bytes (or to the end) and leaves the stream paused without those bytes. */
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
