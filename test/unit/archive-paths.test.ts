// Path resolution inside a container root (symlinks and `..` never leave it), Go file modes for the
// path-stat header, and the names a tar may carry.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scopedPath, scopedPathSync } from '../../src/fs/resolve-in-root.js';
import { goBase, goFileMode, isGoDir } from '../../src/fs/path-stat.js';
import { entryRelPath } from '../../src/fs/tar-extract.js';

const root = mkdtempSync(join(tmpdir(), 'berth-scoped-'));
after(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, 'etc'));
writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
symlinkSync('/', join(root, 'rootlink'));
symlinkSync('../../../../../../../..', join(root, 'uplink'));
symlinkSync('/etc/passwd', join(root, 'abs'));
symlinkSync('etc', join(root, 'rel'));
symlinkSync('loop2', join(root, 'loop1'));
symlinkSync('loop1', join(root, 'loop2'));

test('symlinks and .. resolve inside the root', async () => {
  assert.equal(await scopedPath(root, '/rootlink/etc/passwd'), `${root}/etc/passwd`);
  assert.equal(await scopedPath(root, '/uplink/etc/passwd'), `${root}/etc/passwd`);
  assert.equal(await scopedPath(root, '/../../../etc/passwd'), `${root}/etc/passwd`);
  assert.equal(await scopedPath(root, '/abs'), `${root}/etc/passwd`);
  assert.equal(await scopedPath(root, '/rel/passwd'), `${root}/etc/passwd`);
  assert.equal(await scopedPath(root, '/abs', false), `${root}/abs`, 'the last component is kept when not followed');
  assert.equal(await scopedPath(root, '/rootlink/new/file'), `${root}/new/file`);
  assert.equal(scopedPathSync(root, '/uplink/etc/passwd'), `${root}/etc/passwd`);
  assert.equal(await scopedPath(root, '/'), `${root}/.`);
});

test('symlink loops are refused, not followed forever', async () => {
  await assert.rejects(scopedPath(root, '/loop1/x'), /too many levels of symbolic links/);
});

test('Go file modes and base names for the path-stat header', () => {
  const dirMode = goFileMode(lstatSync(join(root, 'etc')));
  assert.ok(isGoDir(dirMode));
  assert.equal(dirMode - 2 ** 31, lstatSync(join(root, 'etc')).mode & 0o777);
  const linkMode = goFileMode(lstatSync(join(root, 'abs')));
  assert.equal(linkMode, 2 ** 27 + 0o777);
  assert.ok(!isGoDir(goFileMode(lstatSync(join(root, 'etc/passwd')))));
  assert.equal(goBase('/etc/passwd'), 'passwd');
  assert.equal(goBase('/tmp/'), 'tmp');
  assert.equal(goBase('/tmp/.'), '.');
  assert.equal(goBase('/'), '/');
});

test('tar entry names: rooted and normalized, never above the destination', () => {
  assert.deepEqual(entryRelPath('./a/b'), ['a', 'b']);
  assert.deepEqual(entryRelPath('/abs/x'), ['abs', 'x']);
  assert.deepEqual(entryRelPath('a/../b'), ['b']);
  assert.throws(() => entryRelPath('../x'), /escapes the destination/);
  assert.throws(() => entryRelPath('a/../../x'), /escapes the destination/);
});
