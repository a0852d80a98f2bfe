// Layer extraction: every entry type lands with its metadata, Docker whiteouts become overlay ones, and
// every way out of the layer is refused with a clear error (and no half-written layer is left behind).
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, lstatSync, readFileSync, readlinkSync, existsSync, readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { applyTar } from '../../src/storage/tar-apply.js';
import { ContentStore } from '../../src/storage/content-store.js';
import { LayerStore } from '../../src/storage/layer-store.js';
import { isBerthError } from '../../src/errors.js';

type Entry = Parameters<ReturnType<typeof tar.pack>['entry']>[0] & { data?: string };

async function buildTar(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => { chunks.push(c as Buffer); });
  const done = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const { data, ...h } of entries) {
    if (data !== undefined) pack.entry({ mode: 0o644, ...h, size: Buffer.byteLength(data) }, data);
    else pack.entry({ mode: 0o755, ...h });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

const base = mkdtempSync(join(tmpdir(), 'berth-tar-'));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
function freshDir(): string {
  const d = join(base, `d${n++}`);
  mkdirSync(d);
  return d;
}

async function apply(entries: Entry[], dir = freshDir()): Promise<string> {
  await applyTar(Readable.from([await buildTar(entries)]), dir);
  return dir;
}

async function assertRefused(entries: Entry[], pattern: RegExp): Promise<string> {
  const dir = freshDir();
  await assert.rejects(apply(entries, dir), (err: unknown) => {
    assert.ok(isBerthError(err, 'invalid-argument'), `expected invalidArgument, got ${String(err)}`);
    assert.match((err as Error).message, pattern);
    return true;
  });
  return dir;
}

const mtime = new Date('2020-02-02T02:02:02Z');

describe('applyTar: entry types and metadata', () => {
  test('files, dirs, symlinks, hardlinks, devices and fifos keep mode, owner and mtime', async () => {
    const dir = await apply([
      { name: 'bin/', type: 'directory', mode: 0o755, mtime },
      { name: 'bin/su', type: 'file', mode: 0o4755, uid: 0, gid: 0, data: 'suid', mtime },
      { name: 'home/u/file', type: 'file', mode: 0o640, uid: 1000, gid: 1001, data: 'hello', mtime },
      { name: 'bin/sh', type: 'symlink', linkname: '/bin/su', mtime },
      { name: 'bin/su2', type: 'link', linkname: 'bin/su' },
      { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
      { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o660 },
      { name: 'run/fifo', type: 'fifo', mode: 0o600 },
      { name: 'tmp/', type: 'directory', mode: 0o1777, mtime },
    ]);
    const su = lstatSync(join(dir, 'bin/su'));
    assert.equal(su.mode & 0o7777, 0o4755);
    assert.equal(su.mtime.getTime(), mtime.getTime());
    const f = lstatSync(join(dir, 'home/u/file'));
    assert.equal(readFileSync(join(dir, 'home/u/file'), 'utf8'), 'hello');
    assert.deepEqual([f.uid, f.gid, f.mode & 0o777], [1000, 1001, 0o640]);
    assert.equal(readlinkSync(join(dir, 'bin/sh')), '/bin/su');
    assert.equal(lstatSync(join(dir, 'bin/su2')).ino, su.ino);
    const dnull = lstatSync(join(dir, 'dev/null'));
    assert.ok(dnull.isCharacterDevice());
    assert.equal(dnull.rdev, (1 << 8) | 3);
    assert.ok(lstatSync(join(dir, 'dev/sda')).isBlockDevice());
    assert.ok(lstatSync(join(dir, 'run/fifo')).isFIFO());
    const tmp = lstatSync(join(dir, 'tmp'));
    assert.equal(tmp.mode & 0o7777, 0o1777);
    assert.equal(lstatSync(join(dir, 'bin')).mtime.getTime(), mtime.getTime(), 'dir mtime set after its children');
  });

  test('absolute names are rooted inside the layer', async () => {
    const dir = await apply([{ name: '/etc/hostname', type: 'file', data: 'x' }]);
    assert.equal(readFileSync(join(dir, 'etc/hostname'), 'utf8'), 'x');
  });

  test('a symlink may point anywhere but is never followed: a later file replaces the link itself', async () => {
    const outside = freshDir();
    const dir = await apply([
      { name: 'escape', type: 'symlink', linkname: outside },
      { name: 'escape', type: 'file', data: 'inside' },
    ]);
    assert.ok(lstatSync(join(dir, 'escape')).isFile());
    assert.deepEqual(readdirSync(outside), []);
  });

  test('whiteouts become 0/0 char devices, opaque markers an overlay xattr', async () => {
    const dir = await apply([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/.wh.passwd', type: 'file', data: '' },
      { name: 'opt/', type: 'directory' },
      { name: 'opt/.wh..wh..opq', type: 'file', data: '' },
    ]);
    const wh = lstatSync(join(dir, 'etc/passwd'));
    assert.ok(wh.isCharacterDevice());
    assert.equal(wh.rdev, 0);
    assert.ok(!existsSync(join(dir, 'etc/.wh.passwd')));
    const xattr = execFileSync('getfattr', ['--only-values', '-n', 'trusted.overlay.opaque', join(dir, 'opt')], { encoding: 'utf8' });
    assert.equal(xattr, 'y');
    assert.ok(!existsSync(join(dir, 'opt/.wh..wh..opq')));
  });

  test('an overlay mount of two layers hides whited-out files and opaque dirs', async (t) => {
    const lower = await apply([
      { name: 'a', type: 'file', data: 'lower a' },
      { name: 'keep', type: 'file', data: 'kept' },
      { name: 'd/old', type: 'file', data: 'old' },
    ]);
    const upper = await apply([
      { name: '.wh.a', type: 'file', data: '' },
      { name: 'd/', type: 'directory' },
      { name: 'd/.wh..wh..opq', type: 'file', data: '' },
      { name: 'd/new', type: 'file', data: 'new' },
    ]);
    const work = freshDir();
    const rw = freshDir();
    const merged = freshDir();
    const m = spawnSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${upper}:${lower},upperdir=${rw},workdir=${work}`, merged]);
    if (m.status !== 0) { t.skip(`overlay mount unavailable: ${m.stderr}`); return; }
    try {
      assert.ok(!existsSync(join(merged, 'a')));
      assert.equal(readFileSync(join(merged, 'keep'), 'utf8'), 'kept');
      assert.deepEqual(readdirSync(join(merged, 'd')), ['new']);
    } finally {
      spawnSync('umount', [merged]);
    }
  });

  test('gzip layers are accepted by the layer store', async () => {
    const root = freshDir();
    const content = new ContentStore(root);
    const layers = new LayerStore(root, content);
    const plain = await buildTar([{ name: 'f', type: 'file', data: 'gz' }]);
    const info = await layers.add(null, Readable.from([gzipSync(plain)]));
    assert.equal(readFileSync(join(layers.diffDir(info.chainId), 'f'), 'utf8'), 'gz');
    assert.equal((await content.read(info.diffId)).length, plain.length, 'the uncompressed tar is kept');
  });
});

describe('applyTar: refusals', () => {
  test('".." components', async () => {
    await assertRefused([{ name: '../evil', type: 'file', data: 'x' }], /"\.\.\/evil".*"\.\."/);
    await assertRefused([{ name: 'a/../../evil', type: 'file', data: 'x' }], /\.\./);
    await assertRefused([{ name: '/../evil', type: 'file', data: 'x' }], /\.\./);
  });

  test('writing through a symlinked parent', async () => {
    const outside = freshDir();
    await assertRefused([
      { name: 'etc', type: 'symlink', linkname: outside },
      { name: 'etc/passwd', type: 'file', data: 'pwned' },
    ], /"etc\/passwd".*parent etc is a symlink/);
    assert.deepEqual(readdirSync(outside), []);
  });

  test('a directory entry through a symlinked parent', async () => {
    const outside = freshDir();
    await assertRefused([
      { name: 'x', type: 'symlink', linkname: outside },
      { name: 'x/sub/', type: 'directory' },
    ], /parent x is a symlink/);
    assert.deepEqual(readdirSync(outside), []);
  });

  test('hardlinks to targets outside the layer or missing', async () => {
    await assertRefused([{ name: 'h', type: 'link', linkname: '../../etc/shadow' }], /"h".*\.\./);
    await assertRefused([{ name: 'h', type: 'link', linkname: '/etc/shadow' }], /not in the layer/);
  });

  test('hardlink whose target path goes through a symlink', async () => {
    const outside = freshDir();
    writeFileSync(join(outside, 'secret'), 's');
    await assertRefused([
      { name: 'l', type: 'symlink', linkname: outside },
      { name: 'h', type: 'link', linkname: 'l/secret' },
    ], /parent l is a symlink/);
  });

  test('whiteout through a symlinked parent', async () => {
    const outside = freshDir();
    writeFileSync(join(outside, 'victim'), 'v');
    await assertRefused([
      { name: 's', type: 'symlink', linkname: outside },
      { name: 's/.wh.victim', type: 'file', data: '' },
    ], /parent s is a symlink/);
    assert.equal(readFileSync(join(outside, 'victim'), 'utf8'), 'v');
  });

  test('a refused layer leaves no directory behind in the layer store', async () => {
    const root = freshDir();
    const layers = new LayerStore(root, new ContentStore(root));
    const bad = await buildTar([{ name: 'ok', type: 'file', data: 'x' }, { name: '../evil', type: 'file', data: 'x' }]);
    await assert.rejects(layers.add(null, Readable.from([bad])), /refusing to extract layer entry "\.\.\/evil"/);
    assert.deepEqual(readdirSync(join(root, 'layers')), []);
    assert.deepEqual(readdirSync(join(root, 'blobs', 'sha256')), [], 'the refused tar is not kept');
  });
});
