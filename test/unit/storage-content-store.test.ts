// The content store only ever holds blobs under their true digest.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ContentStore } from '../../src/storage/content-store.js';
import { sha256Digest, chainIds } from '../../src/storage/digest.js';

const root = mkdtempSync(join(tmpdir(), 'berth-cs-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('stream writes are hashed, stored by digest and readable back', async () => {
  const cs = new ContentStore(root);
  const data = Buffer.from('hello blobs');
  const info = await cs.writeStream(Readable.from([data.subarray(0, 5), data.subarray(5)]));
  assert.deepEqual(info, { digest: sha256Digest(data), size: data.length, created: true });
  assert.deepEqual(await cs.read(info.digest), data);
  assert.ok(cs.has(info.digest));
});

test('a digest mismatch is refused and leaves nothing behind', async () => {
  const cs = new ContentStore(root);
  const wrong = 'sha256:' + '0'.repeat(64);
  await assert.rejects(cs.writeStream(Readable.from([Buffer.from('x')]), wrong), /digest mismatch/);
  await assert.rejects(cs.writeBuffer(Buffer.from('x'), wrong), /digest mismatch/);
  assert.ok(!cs.has(wrong));
  assert.deepEqual(readdirSync(join(root, 'blobs', 'tmp')), []);
});

test('malformed digests are refused', async () => {
  const cs = new ContentStore(root);
  assert.throws(() => cs.path('sha256:../../etc/passwd'), /invalid digest/);
  assert.throws(() => cs.path('md5:abc'), /invalid digest/);
});

test('chain IDs follow the OCI definition', () => {
  const a = sha256Digest('a');
  const b = sha256Digest('b');
  assert.deepEqual(chainIds([a, b]), [a, sha256Digest(`${a} ${b}`)]);
});
