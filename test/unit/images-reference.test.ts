// Docker-style reference parsing and the familiar forms Docker shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReference, normalizeTagged, familiarName, matchReferenceGlob, displayRef } from '../../src/images/reference.js';
import { isBerthError } from '../../src/errors.js';

test('short names get docker.io/library and latest; familiar forms drop them again', () => {
  assert.deepEqual(parseReference('busybox'), { name: 'docker.io/library/busybox', tag: undefined, digest: undefined });
  assert.equal(normalizeTagged('busybox'), 'busybox:latest');
  assert.equal(normalizeTagged('docker.io/library/busybox:1.36'), 'busybox:1.36');
  assert.equal(normalizeTagged('index.docker.io/library/busybox'), 'busybox:latest');
  assert.equal(normalizeTagged('me/app'), 'me/app:latest');
  assert.equal(normalizeTagged('docker.io/me/app:2'), 'me/app:2');
  assert.equal(normalizeTagged('localhost:5000/x:1'), 'localhost:5000/x:1');
  assert.equal(normalizeTagged('localhost/x'), 'localhost/x:latest');
  assert.equal(normalizeTagged('quay.io/a/b/c:v1'), 'quay.io/a/b/c:v1');
  assert.equal(familiarName('docker.io/library/a/b'), 'library/a/b');
});

test('digest references keep the digest and get no tag', () => {
  const d = 'sha256:' + 'a'.repeat(64);
  assert.equal(normalizeTagged(`busybox@${d}`), `busybox@${d}`);
  assert.deepEqual(parseReference(`localhost:5000/x:1@${d}`), { name: 'localhost:5000/x', tag: '1', digest: d });
});

test('invalid references are invalidArgument with Docker wording', () => {
  for (const bad of ['', 'Busybox', 'a:b:c', 'busybox:', ':tag', 'a//b', '-a', 'a@sha256:zz', 'x:' + 't'.repeat(129), 'a'.repeat(64)]) {
    assert.throws(() => parseReference(bad), (err: unknown) => isBerthError(err, 'invalid-argument') && /invalid reference format/.test((err as Error).message), bad);
  }
  assert.throws(() => parseReference('docker.io/Me/app'), /must be lowercase/);
});

test('reference filter globs match name or name:tag, * not crossing /', () => {
  assert.ok(matchReferenceGlob('busybox', 'busybox:latest'));
  assert.ok(matchReferenceGlob('busy*', 'busybox:latest'));
  assert.ok(matchReferenceGlob('busybox:l*', 'busybox:latest'));
  assert.ok(!matchReferenceGlob('busybox:1', 'busybox:latest'));
  assert.ok(!matchReferenceGlob('*', 'me/app:1'));
  assert.ok(matchReferenceGlob('*/*', 'me/app:1'));
  assert.ok(matchReferenceGlob('localhost:5000/*', 'localhost:5000/x:1'));
});

test('missing images are named as Docker names them', () => {
  assert.equal(displayRef('nosuch'), 'nosuch:latest');
  assert.equal(displayRef('docker.io/library/nosuch:2'), 'nosuch:2');
  assert.equal(displayRef('sha256:abc'), 'sha256:abc');
  assert.equal(displayRef('NOT VALID'), 'NOT VALID');
});
