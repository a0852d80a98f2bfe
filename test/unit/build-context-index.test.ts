// The context index pass, in the worker and on this thread: same entries (hashes of content and link
// targets, modes, owners), the Dockerfile kept, Docker's tar rules (a name below a file is refused), a
// gzip body, and a body that is no archive (the Dockerfile alone).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { ContextIndexer } from '../../src/build/context/indexer.js';
import type { ContextIndex } from '../../src/build/context/context-index.js';

async function tarOf(entries: Array<{ name: string; type?: 'file' | 'directory' | 'symlink'; body?: Buffer | string; linkname?: string; mode?: number; uid?: number }>): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) pack.entry({ name: e.name, type: e.type ?? 'file', linkname: e.linkname, mode: e.mode ?? 0o644, uid: e.uid ?? 0 }, e.body ?? '');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function index(indexer: ContextIndexer, body: Buffer, chunk = 7000): Promise<ContextIndex> {
  const job = indexer.start(['Dockerfile', '.dockerignore']);
  for (let o = 0; o < body.length; o += chunk) await job.push(body.subarray(o, o + chunk));
  return await job.end();
}

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const big = Buffer.alloc(3 << 20, 9);

for (const [name, useWorker] of [['worker', true], ['this thread', false]] as const) {
  test(`index pass (${name}): entries, hashes, kept Dockerfile`, async () => {
    const indexer = new ContextIndexer(useWorker);
    const body = await tarOf([
      { name: 'Dockerfile', body: 'FROM scratch\n' },
      { name: 'src/', type: 'directory', mode: 0o700 },
      { name: 'src/big.bin', body: big, mode: 0o600, uid: 1000 },
      { name: 'src/link', type: 'symlink', linkname: 'big.bin' },
      { name: 'deep/a/b.txt', body: 'b' },
    ]);
    for (const input of [body, gzipSync(body)]) {
      const r = await index(indexer, input);
      const entries = new Map(r.entries);
      assert.deepEqual(entries.get('src/big.bin'), { type: 'file', mode: 0o600, uid: 1000, gid: 0, size: big.length, hash: sha(big) });
      assert.equal(entries.get('src/link')?.hash, sha('big.bin'));
      assert.equal(entries.get('src')?.mode, 0o700);
      assert.equal(entries.get('deep/a')?.type, 'directory');
      assert.deepEqual(r.small.map(([k, v]) => [k, Buffer.from(v).toString()]), [['Dockerfile', 'FROM scratch\n']]);
    }
  });

  test(`index pass (${name}): a name below a file is refused; a bare Dockerfile is its bytes`, async () => {
    const indexer = new ContextIndexer(useWorker);
    const bad = await tarOf([{ name: 'f', body: 'x' }, { name: 'f/g', body: 'y' }]);
    await assert.rejects(index(indexer, bad), (err: Error & { kind?: string }) => err.kind === 'invalid-argument' && /below a non-directory/.test(err.message));
    const bare = await index(indexer, Buffer.from('FROM busybox\nRUN true\n'));
    assert.equal(Buffer.from(bare.bare!).toString(), 'FROM busybox\nRUN true\n');
    // The worker serves the next context after a refused one.
    const ok = await index(indexer, await tarOf([{ name: 'Dockerfile', body: 'FROM scratch\n' }]));
    assert.equal(ok.entries.length, 2);
  });
}
