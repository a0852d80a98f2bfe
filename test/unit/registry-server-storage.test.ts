// Registry storage driver: names, upload sessions (verify before visible, in-order chunks, concurrent pushes of
// one blob), manifests (references checked, media type kept, referrers), links, garbage collection, and
// sharing berthd's content store.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { RegistryStorage } from '../../src/registry/server/storage/registry-storage.js';
import { collectGarbage } from '../../src/registry/server/storage/gc.js';
import { RegistryError } from '../../src/registry/server/errors.js';
import { isRepoName, isTag, parseDigest } from '../../src/registry/server/names.js';
import { ContentStore } from '../../src/storage/content-store.js';

let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'berth-regstore-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

const sha = (b: Buffer | string, alg = 'sha256') => `${alg}:${createHash(alg).update(b).digest('hex')}`;
const code = (c: string) => (err: unknown) => err instanceof RegistryError && err.code === c;
let n = 0;
const fresh = () => new RegistryStorage({ root: join(dir, `r${n++}`) });

async function pushBlob(s: RegistryStorage, repo: string, data: Buffer): Promise<string> {
  const up = await s.uploads.create(repo);
  const res = await s.finishUpload(repo, up.uuid, sha(data), Readable.from([data]));
  return res.digest.digest;
}

test('repository names, tags and digests follow the spec grammar', () => {
  for (const ok of ['a', 'library/busybox', 'a.b_c__d-e--f/g0', 'x/y/z']) assert.ok(isRepoName(ok), ok);
  for (const bad of ['', 'A', 'a/', '/a', 'a//b', '-a', 'a-', 'a..b', 'a___b', '_a', 'a/_layers', 'a'.repeat(256)]) assert.ok(!isRepoName(bad), bad);
  assert.ok(isTag('v1.0_rc-1') && isTag('_x') && !isTag('.x') && !isTag('-x') && !isTag('a'.repeat(129)));
  assert.equal(parseDigest(sha('x')).algorithm, 'sha256');
  assert.equal(parseDigest(sha('x', 'sha512')).hex.length, 128);
  for (const bad of ['sha256:abc', 'md5:' + 'a'.repeat(32), 'sha256:' + 'A'.repeat(64), 'nocolon']) assert.throws(() => parseDigest(bad), code('DIGEST_INVALID'), bad);
});

test('a chunked upload becomes a blob only when its digest matches', async () => {
  const s = fresh();
  const up = await s.uploads.create('a/b');
  await s.uploads.append('a/b', up.uuid, Readable.from([Buffer.from('hello ')]), 0);
  await assert.rejects(s.uploads.append('a/b', up.uuid, Readable.from([Buffer.from('x')]), 3), code('RANGE_INVALID'));
  const st = await s.uploads.append('a/b', up.uuid, Readable.from([Buffer.from('world')]), 6);
  assert.equal(st.offset, 11);
  const d = parseDigest(sha('hello world'));
  assert.equal(await s.blobSize('a/b', d), undefined, 'not visible before the final PUT');
  await s.finishUpload('a/b', up.uuid, d.digest);
  assert.equal(await s.blobSize('a/b', d), 11);
  assert.equal(await s.blobSize('other', d), undefined, 'linked only where pushed');
  await assert.rejects(s.uploads.state('a/b', up.uuid), code('BLOB_UPLOAD_UNKNOWN'));
});

test('a wrong digest stores nothing and ends the session', async () => {
  const s = fresh();
  const up = await s.uploads.create('a');
  const claimed = sha('something else');
  await assert.rejects(s.finishUpload('a', up.uuid, claimed, Readable.from([Buffer.from('data')])), code('DIGEST_INVALID'));
  assert.equal(await s.blobs.size(parseDigest(claimed)), undefined);
  assert.equal(await s.blobs.size(parseDigest(sha('data'))), undefined);
  await assert.rejects(s.uploads.state('a', up.uuid), code('BLOB_UPLOAD_UNKNOWN'));
});

test('a session belongs to its repository', async () => {
  const s = fresh();
  const up = await s.uploads.create('a');
  await assert.rejects(s.uploads.state('b', up.uuid), code('BLOB_UPLOAD_UNKNOWN'));
  await assert.rejects(s.uploads.state('a', '../../etc'), code('BLOB_UPLOAD_UNKNOWN'));
});

test('concurrent pushes of one blob all succeed and store it once', async () => {
  const s = fresh();
  const data = Buffer.alloc(256 * 1024, 7);
  const digests = await Promise.all(['r1', 'r2', 'r3', 'r1'].map((repo) => pushBlob(s, repo, data)));
  assert.deepEqual(new Set(digests), new Set([sha(data)]));
  assert.deepEqual(await s.blobs.list(), [sha(data)]);
  for (const repo of ['r1', 'r2', 'r3']) assert.equal(await s.blobSize(repo, parseDigest(sha(data))), data.length);
});

test('sha512 uploads are verified with sha512', async () => {
  const s = fresh();
  const up = await s.uploads.create('a');
  const res = await s.finishUpload('a', up.uuid, sha('x', 'sha512'), Readable.from([Buffer.from('x')]));
  assert.equal(res.digest.algorithm, 'sha512');
  assert.equal(await s.blobSize('a', res.digest), 1);
});

function imageManifest(config: string, layers: string[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 2 },
    layers: layers.map((d) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d, size: 1 })),
    ...extra,
  }));
}

test('manifests must reference content the repository has; the media type is kept', async () => {
  const s = fresh();
  const config = await pushBlob(s, 'img', Buffer.from('{}'));
  const missing = sha('not pushed');
  await assert.rejects(s.putManifest('img', 'v1', imageManifest(config, [missing]), 'application/vnd.oci.image.manifest.v1+json'), code('MANIFEST_BLOB_UNKNOWN'));
  const layer = await pushBlob(s, 'img', Buffer.from('L'));
  const body = imageManifest(config, [layer]);
  await assert.rejects(s.putManifest('img', 'v1', body, 'application/vnd.docker.distribution.manifest.v2+json'), code('MANIFEST_INVALID'));
  await assert.rejects(s.putManifest('img', sha('other'), body, undefined), code('DIGEST_INVALID'));
  await assert.rejects(s.putManifest('img', 'v1', Buffer.from('not json'), undefined), code('MANIFEST_INVALID'));
  const m = await s.putManifest('img', 'v1', body, 'application/vnd.oci.image.manifest.v1+json');
  assert.equal(m.digest, sha(body));
  const got = await s.manifest('img', 'v1');
  assert.equal(got.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.deepEqual(await s.manifestBody(got), body);
  await assert.rejects(s.manifest('other', 'v1'), code('MANIFEST_UNKNOWN'));
});

test('referrers are listed per subject, filtered by artifactType, and go with their manifest', async () => {
  const s = fresh();
  const config = await pushBlob(s, 'r', Buffer.from('{}'));
  const subject = await s.putManifest('r', 'base', imageManifest(config, []), undefined);
  const sig = imageManifest(config, [], { artifactType: 'application/x-sig', subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: subject.digest, size: subject.size }, annotations: { a: 'b' } });
  const sbom = imageManifest(config, [], { artifactType: 'application/x-sbom', subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: subject.digest, size: subject.size } });
  const putSig = await s.putManifest('r', sha(sig), sig, undefined);
  assert.equal(putSig.subject, subject.digest);
  await s.putManifest('r', sha(sbom), sbom, undefined);
  const all = await s.referrers('r', parseDigest(subject.digest));
  assert.equal(all.length, 2);
  const sigs = await s.referrers('r', parseDigest(subject.digest), 'application/x-sig');
  assert.deepEqual(sigs, [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(sig), size: sig.length, artifactType: 'application/x-sig', annotations: { a: 'b' } }]);
  await s.deleteManifest('r', sha(sig));
  assert.equal((await s.referrers('r', parseDigest(subject.digest))).length, 1);
});

test('deleting by digest drops its tags; deleting a tag keeps the manifest', async () => {
  const s = fresh();
  const config = await pushBlob(s, 'd', Buffer.from('{}'));
  const m = await s.putManifest('d', 'one', imageManifest(config, []), undefined, ['two']);
  await s.repos.setTag('d', 'three', m.digest);
  assert.deepEqual(await s.repos.tags('d'), ['one', 'three', 'two']);
  await s.deleteManifest('d', 'one');
  await s.manifest('d', m.digest);
  await s.deleteManifest('d', m.digest);
  assert.deepEqual(await s.repos.tags('d'), []);
  await assert.rejects(s.manifest('d', m.digest), code('MANIFEST_UNKNOWN'));
  await assert.rejects(s.deleteManifest('d', m.digest), code('MANIFEST_UNKNOWN'));
});

test('an index needs its children in the repository', async () => {
  const s = fresh();
  const config = await pushBlob(s, 'ix', Buffer.from('{}'));
  const child = await s.putManifest('ix', 'child', imageManifest(config, []), undefined);
  const index = (d: string) => Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: d, size: 1 }] }));
  await assert.rejects(s.putManifest('ix', 'list', index(sha('nope')), undefined), code('MANIFEST_BLOB_UNKNOWN'));
  const put = await s.putManifest('ix', 'list', index(child.digest), undefined);
  assert.equal(put.mediaType, 'application/vnd.oci.image.index.v1+json');
});

test('mounts: from a repository that has the blob, or anonymously when stored', async () => {
  const s = fresh();
  const d = parseDigest(await pushBlob(s, 'src', Buffer.from('m')));
  assert.equal(await s.mount('dst', d, 'nothere'), false);
  assert.equal(await s.mount('dst', d, 'src'), true);
  assert.equal(await s.blobSize('dst', d), 1);
  assert.equal(await s.mount('anon', d), true);
  assert.equal(await s.mount('anon', parseDigest(sha('absent'))), false);
});

test('garbage collection deletes what no manifest references, and the links to it', async () => {
  const s = fresh();
  const config = await pushBlob(s, 'g', Buffer.from('{}'));
  const layer = await pushBlob(s, 'g', Buffer.from('kept'));
  const orphan = await pushBlob(s, 'g', Buffer.from('orphan'));
  const m = await s.putManifest('g', 'v1', imageManifest(config, [layer]), undefined);
  const dry = await collectGarbage(s, { dryRun: true });
  assert.deepEqual(dry.deleted, [orphan]);
  assert.ok(existsSync(s.blobs.path(parseDigest(orphan))));
  const res = await collectGarbage(s);
  assert.deepEqual(res.deleted, [orphan]);
  assert.equal(await s.blobSize('g', parseDigest(orphan)), undefined);
  assert.equal(s.repos.hasBlob('g', parseDigest(orphan)), false);
  for (const d of [config, layer, m.digest]) assert.ok(await s.blobs.size(parseDigest(d)), d);
  await s.deleteManifest('g', m.digest);
  assert.equal((await collectGarbage(s, { keep: (d) => d === config })).deleted.length, 2);
  assert.ok(await s.blobs.size(parseDigest(config)), 'kept by the keeper');
});

test('with berthd\'s content store: shared blobs are visible everywhere, and claimed', async () => {
  const imageRoot = join(dir, 'berthd-image');
  const content = new ContentStore(imageRoot);
  const info = await content.writeBuffer(Buffer.from('{"berthd":"config"}'));
  const s = new RegistryStorage({ root: join(dir, 'berthd-registry'), blobRoot: imageRoot, sharedBlobs: true });
  await s.indexReferences();
  assert.equal(await s.blobSize('any/repo', parseDigest(info.digest)), info.size);
  const pushed = await pushBlob(s, 'x', Buffer.from('pushed through the registry'));
  assert.ok(content.has(pushed), 'the registry writes into berthd\'s content store');
  assert.ok(s.isReferenced(pushed));
  assert.ok(!s.isReferenced(info.digest));
});

test('gc --delete-untagged keeps what tags reach (indexes, referrers) and drops the rest', async () => {
  const s = fresh();
  const config = await pushBlob(s, 'u', Buffer.from('{}'));
  const oldLayer = await pushBlob(s, 'u', Buffer.from('old'));
  const newLayer = await pushBlob(s, 'u', Buffer.from('new'));
  const old = await s.putManifest('u', 'v1', imageManifest(config, [oldLayer]), undefined);
  const cur = await s.putManifest('u', 'v1', imageManifest(config, [newLayer]), undefined); // retag: old is untagged
  const child = await s.putManifest('u', sha(imageManifest(config, [])), imageManifest(config, []), undefined);
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: child.digest, size: child.size }] }));
  await s.putManifest('u', 'list', index, undefined);
  const sig = imageManifest(config, [], { artifactType: 'application/x-sig', subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: cur.digest, size: cur.size } });
  await s.putManifest('u', sha(sig), sig, undefined);
  const res = await collectGarbage(s, { deleteUntagged: true });
  assert.equal(res.manifestsDeleted, 1);
  await assert.rejects(s.manifest('u', old.digest), code('MANIFEST_UNKNOWN'));
  for (const keep of [cur.digest, child.digest, sha(sig)]) await s.manifest('u', keep);
  assert.deepEqual(res.deleted.sort(), [old.digest, oldLayer].sort());
});

test('gc purges upload sessions older than the limit', async () => {
  const s = fresh();
  const up = await s.uploads.create('p');
  assert.equal((await collectGarbage(s)).uploadsDeleted, 0, 'a fresh session stays');
  assert.equal((await collectGarbage(s, { uploadMaxAgeMs: 0 })).uploadsDeleted, 1);
  await assert.rejects(s.uploads.state('p', up.uuid), code('BLOB_UPLOAD_UNKNOWN'));
});
