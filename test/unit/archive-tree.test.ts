// Packing, extracting and diffing trees on the local filesystem: extraction follows symlinks only inside
// its root, honours noOverwriteDirNonDir; pack round-trips; changes read an overlay-style upper dir.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { extractInto } from '../../src/fs/tar-extract.js';
import { packTree } from '../../src/fs/tar-pack.js';
import { containerChanges } from '../../src/engine/archive/changes.js';

const base = mkdtempSync(join(tmpdir(), 'berth-archive-'));
after(() => rmSync(base, { recursive: true, force: true }));

function tarOf(entries: Array<{ name: string; type?: 'file' | 'directory' | 'symlink'; body?: string; linkname?: string }>): Readable {
  const pack = tar.pack();
  for (const e of entries) {
    if ((e.type ?? 'file') === 'file') pack.entry({ name: e.name, mode: 0o640 }, e.body ?? '');
    else pack.entry({ name: e.name, type: e.type, linkname: e.linkname, mode: 0o755 });
  }
  pack.finalize();
  return pack as unknown as Readable;
}

test('extraction stays inside the root even through symlinks it created', async () => {
  const root = join(base, 'r1');
  mkdirSync(join(root, 'dst'), { recursive: true });
  const outside = join(base, 'outside-target');
  await extractInto(root, '/dst', tarOf([
    { name: 'l', type: 'symlink', linkname: outside },
    { name: 'l/escaped', body: 'no' },
    { name: 'up', type: 'symlink', linkname: '../../../../../../..' },
    { name: 'up/top', body: 'top' },
    { name: 'dir/file', body: 'hello' },
  ]), { noOverwriteDirNonDir: true });
  assert.equal(existsSync(outside), false);
  assert.equal(readFileSync(join(root, outside.slice(1), 'escaped'), 'utf8'), 'no');
  assert.equal(readFileSync(join(root, 'top'), 'utf8'), 'top');
  assert.equal(readFileSync(join(root, 'dst/dir/file'), 'utf8'), 'hello');
  assert.equal(readlinkSync(join(root, 'dst/l')), outside, 'symlinks are stored as given');
});

test('noOverwriteDirNonDir refuses to swap a directory and a file', async () => {
  const root = join(base, 'r2');
  mkdirSync(join(root, 'd/sub'), { recursive: true });
  writeFileSync(join(root, 'd/file'), 'x');
  await assert.rejects(extractInto(root, '/d', tarOf([{ name: 'sub', body: 'x' }]), { noOverwriteDirNonDir: true }), /cannot overwrite directory/);
  await assert.rejects(extractInto(root, '/d', tarOf([{ name: 'file', type: 'directory' }]), { noOverwriteDirNonDir: true }), /cannot overwrite non-directory/);
  await extractInto(root, '/d', tarOf([{ name: 'file', body: 'new' }]), { noOverwriteDirNonDir: true });
  assert.equal(readFileSync(join(root, 'd/file'), 'utf8'), 'new');
});

test('pack then extract gives the same tree, symlinks not followed', async () => {
  const src = join(base, 'src');
  mkdirSync(join(src, 'a/b'), { recursive: true });
  writeFileSync(join(src, 'a/b/f'), 'content');
  symlinkSync('/etc/passwd', join(src, 'a/link'));
  const dest = join(base, 'dest');
  mkdirSync(dest);
  await extractInto(dest, '/', packTree(src, { rebaseName: 'copy' }), { noOverwriteDirNonDir: false });
  assert.equal(readFileSync(join(dest, 'copy/a/b/f'), 'utf8'), 'content');
  assert.equal(readlinkSync(join(dest, 'copy/a/link')), '/etc/passwd');
});

test('changes: added, modified and deleted paths from an upper dir; runtime mount points left out', async () => {
  const lower = join(base, 'lower');
  const upper = join(base, 'upper');
  mkdirSync(join(lower, 'bin'), { recursive: true });
  mkdirSync(join(lower, 'etc'), { recursive: true });
  writeFileSync(join(lower, 'bin/ls'), '');
  writeFileSync(join(lower, 'etc/passwd'), '');
  mkdirSync(join(upper, 'bin'), { recursive: true });
  mkdirSync(join(upper, 'etc'), { recursive: true });
  mkdirSync(join(upper, 'proc'), { recursive: true });
  mkdirSync(join(upper, 'new/dir'), { recursive: true });
  assert.equal(spawnSync('mknod', [join(upper, 'bin/ls'), 'c', '0', '0']).status, 0);
  writeFileSync(join(upper, 'etc/hosts'), '');
  writeFileSync(join(upper, 'etc/passwd'), 'changed');
  const changes = await containerChanges(upper, [lower]);
  assert.deepEqual(changes, [
    { Path: '/bin', Kind: 0 }, { Path: '/bin/ls', Kind: 2 }, { Path: '/etc', Kind: 0 }, { Path: '/etc/passwd', Kind: 0 },
    { Path: '/new', Kind: 1 }, { Path: '/new/dir', Kind: 1 },
  ]);
});
