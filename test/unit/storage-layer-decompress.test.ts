// Layer decompression by media type: zstd (via fzstd) and gzip round-trip; corrupt gzip is the layer's fault.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { decompress, compressionOfMediaType } from '../../src/storage/layer-decompress.js';

async function collect(r: Readable): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of r) out.push(c as Buffer);
  return Buffer.concat(out);
}

const data = Buffer.concat([randomBytes(300_000), Buffer.alloc(700_000, 'a')]);

test('zstd layers decompress (compressed by the zstd tool)', { skip: !existsSync('/usr/bin/zstd') && 'zstd not installed' }, async () => {
  const z = spawnSync('/usr/bin/zstd', ['-c', '-q'], { input: data, maxBuffer: 16 << 20 });
  assert.equal(z.status, 0);
  const chunks = [];
  for (let i = 0; i < z.stdout.length; i += 7777) chunks.push(z.stdout.subarray(i, i + 7777));
  assert.deepEqual(await collect(decompress(Readable.from(chunks), 'zstd')), data);
});

test('gzip and plain layers; media types map to compressions', async () => {
  assert.deepEqual(await collect(decompress(Readable.from([gzipSync(data)]), 'gzip')), data);
  assert.deepEqual(await collect(decompress(Readable.from([data]), 'none')), data);
  assert.equal(compressionOfMediaType('application/vnd.oci.image.layer.v1.tar+zstd'), 'zstd');
  assert.equal(compressionOfMediaType('application/vnd.docker.image.rootfs.diff.tar.gzip'), 'gzip');
  assert.equal(compressionOfMediaType('application/vnd.oci.image.layer.v1.tar'), 'none');
});

test('corrupt gzip fails as invalid data', async () => {
  const bad = gzipSync(data);
  bad[20] ^= 0xff; bad[21] ^= 0xff;
  await assert.rejects(collect(decompress(Readable.from([bad]), 'gzip')), (err: Error & { kind?: string }) => err.kind === 'invalid-argument');
});
