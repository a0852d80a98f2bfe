// Registry HTTP handlers, in process on 127.0.0.1: routing and name checks, error bodies and statuses, Range,
// chunked uploads, pagination, Content-Type echo, Basic auth with bcrypt.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { RegistryStorage } from '../../src/registry/server/storage/registry-storage.js';
import { createRegistryServer, listen, parseAddr } from '../../src/registry/server/server.js';
import { Htpasswd } from '../../src/registry/server/handlers/auth.js';
import { matchRoute } from '../../src/registry/server/handlers/routes.js';
import { page, parseRange } from '../../src/registry/server/handlers/http.js';
import { request, sha256, writeHtpasswd } from '../helpers/registry-server.js';

let dir: string;
let server: Server;
let authServer: Server;
let base: string;
let authBase: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-reghandlers-'));
  server = createRegistryServer({ storage: new RegistryStorage({ root: join(dir, 'open') }) });
  base = `http://127.0.0.1:${(await listen(server, '127.0.0.1:0')).port}`;
  await writeHtpasswd(join(dir, 'htpasswd'), 'alice', 's3cret');
  authServer = createRegistryServer({ storage: new RegistryStorage({ root: join(dir, 'auth') }), auth: new Htpasswd(join(dir, 'htpasswd'), 'test realm') });
  authBase = `http://127.0.0.1:${(await listen(authServer, '127.0.0.1:0')).port}`;
});
after(async () => {
  await new Promise((r) => server.close(r));
  await new Promise((r) => authServer.close(r));
  rmSync(dir, { recursive: true, force: true });
});

test('routes take the repository name from everything before the last endpoint', () => {
  assert.deepEqual(matchRoute('/v2/a/blobs/b/blobs/sha256:x'), { kind: 'blob', name: 'a/blobs/b', digest: 'sha256:x' });
  assert.deepEqual(matchRoute('/v2/a/blobs/uploads/'), { kind: 'uploads', name: 'a' });
  assert.deepEqual(matchRoute('/v2/x/y/manifests/latest'), { kind: 'manifest', name: 'x/y', ref: 'latest' });
  assert.deepEqual(matchRoute('/v2/_catalog'), { kind: 'catalog' });
  assert.equal(matchRoute('/other'), undefined);
  assert.throws(() => matchRoute('/v2/UP/tags/list'), /invalid repository name/);
  assert.deepEqual(parseAddr('127.0.0.1:5000'), { host: '127.0.0.1', port: 5000 });
  assert.deepEqual(parseAddr(':5000'), { host: '0.0.0.0', port: 5000 });
  assert.deepEqual(parseAddr('[::1]:80'), { host: '::1', port: 80 });
  assert.throws(() => parseAddr('5000'));
});

test('Range and pagination helpers', () => {
  assert.deepEqual(parseRange('bytes=0-3', 10), { start: 0, end: 3 });
  assert.deepEqual(parseRange('bytes=4-', 10), { start: 4, end: 9 });
  assert.deepEqual(parseRange('bytes=-2', 10), { start: 8, end: 9 });
  assert.deepEqual(parseRange('bytes=5-99', 10), { start: 5, end: 9 });
  for (const bad of ['bytes=10-', 'bytes=5-2', 'items=0-1', 'bytes=-0', 'bytes=0-1,3-4']) assert.equal(parseRange(bad, 10), undefined, bad);
  assert.deepEqual(page(['a', 'b', 'c'], '/p', { n: 2 }), { items: ['a', 'b'], link: '</p?last=b&n=2>; rel="next"' });
  assert.deepEqual(page(['a', 'b', 'c'], '/p', { n: 2, last: 'b' }), { items: ['c'] });
  assert.deepEqual(page(['a', 'b'], '/p', { n: 2 }), { items: ['a', 'b'] });
});

test('/v2/ answers with the API version header; errors come in the Distribution shape', async () => {
  const r = await request(base, 'GET', '/v2/');
  assert.equal(r.status, 200);
  assert.equal(r.headers['docker-distribution-api-version'], 'registry/2.0');
  const bad = await request(base, 'GET', '/v2/Bad_Name/tags/list');
  assert.equal(bad.status, 400);
  assert.equal(JSON.parse(bad.text).errors[0].code, 'NAME_INVALID');
  const unknown = await request(base, 'GET', `/v2/nope/blobs/${sha256('x')}`);
  assert.equal(unknown.status, 404);
  assert.deepEqual(JSON.parse(unknown.text).errors[0].code, 'BLOB_UNKNOWN');
  const digest = await request(base, 'HEAD', '/v2/nope/blobs/sha256:zz');
  assert.equal(digest.status, 400);
  const method = await request(base, 'POST', '/v2/x/tags/list');
  assert.equal(method.status, 405);
  assert.equal(JSON.parse(method.text).errors[0].code, 'UNSUPPORTED');
});

test('monolithic upload, GET with Range, HEAD, DELETE', async () => {
  const data = Buffer.from('0123456789');
  const d = sha256(data);
  const put = await request(base, 'POST', `/v2/mono/blobs/uploads/?digest=${d}`, { body: data, headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(put.status, 201, put.text);
  assert.equal(put.headers.location, `/v2/mono/blobs/${d}`);
  assert.equal(put.headers['docker-content-digest'], d);
  const head = await request(base, 'HEAD', `/v2/mono/blobs/${d}`);
  assert.equal(head.headers['content-length'], '10');
  const part = await request(base, 'GET', `/v2/mono/blobs/${d}`, { headers: { Range: 'bytes=2-5' } });
  assert.equal(part.status, 206);
  assert.equal(part.text, '2345');
  assert.equal(part.headers['content-range'], 'bytes 2-5/10');
  const bad = await request(base, 'GET', `/v2/mono/blobs/${d}`, { headers: { Range: 'bytes=20-' } });
  assert.equal(bad.status, 416);
  assert.equal((await request(base, 'DELETE', `/v2/mono/blobs/${d}`)).status, 202);
  assert.equal((await request(base, 'HEAD', `/v2/mono/blobs/${d}`)).status, 404);
  const wrong = await request(base, 'POST', `/v2/mono/blobs/uploads/?digest=${sha256('other')}`, { body: data });
  assert.equal(wrong.status, 400);
  assert.equal(JSON.parse(wrong.text).errors[0].code, 'DIGEST_INVALID');
});

test('chunked upload: chunks in order, status, out-of-order refused with 416', async () => {
  const post = await request(base, 'POST', '/v2/chunk/blobs/uploads/');
  assert.equal(post.status, 202);
  assert.equal(post.headers.range, '0-0');
  const loc = post.headers.location!;
  const p1 = await request(base, 'PATCH', loc, { body: 'abc', headers: { 'Content-Range': '0-2', 'Content-Type': 'application/octet-stream' } });
  assert.equal(p1.status, 202);
  assert.equal(p1.headers.range, '0-2');
  const skip = await request(base, 'PATCH', loc, { body: 'xyz', headers: { 'Content-Range': '5-7' } });
  assert.equal(skip.status, 416);
  const status = await request(base, 'GET', loc);
  assert.equal(status.status, 204);
  assert.equal(status.headers.range, '0-2');
  await request(base, 'PATCH', loc, { body: 'def' });
  const done = await request(base, 'PUT', `${loc}?digest=${sha256('abcdefg')}`, { body: 'g' });
  assert.equal(done.status, 201, done.text);
  assert.equal((await request(base, 'GET', `/v2/chunk/blobs/${sha256('abcdefg')}`)).text, 'abcdefg');
  assert.equal((await request(base, 'GET', loc)).status, 404);
});

test('manifests: Content-Type echoed, tags paginated with Link, catalog', async () => {
  const config = Buffer.from('{}');
  await request(base, 'POST', `/v2/m/blobs/uploads/?digest=${sha256(config)}`, { body: config });
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: sha256(config), size: 2 }, layers: [] }));
  for (const tag of ['c', 'a', 'b']) {
    const put = await request(base, 'PUT', `/v2/m/manifests/${tag}`, { body: manifest, headers: { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' } });
    assert.equal(put.status, 201, put.text);
    assert.equal(put.headers['docker-content-digest'], sha256(manifest));
  }
  const get = await request(base, 'GET', '/v2/m/manifests/a');
  assert.equal(get.headers['content-type'], 'application/vnd.docker.distribution.manifest.v2+json');
  assert.deepEqual(get.body, manifest);
  const p1 = await request(base, 'GET', '/v2/m/tags/list?n=2');
  assert.deepEqual(JSON.parse(p1.text), { name: 'm', tags: ['a', 'b'] });
  assert.equal(p1.headers.link, '</v2/m/tags/list?last=b&n=2>; rel="next"');
  const p2 = await request(base, 'GET', '/v2/m/tags/list?n=2&last=b');
  assert.deepEqual(JSON.parse(p2.text).tags, ['c']);
  assert.equal(p2.headers.link, undefined);
  assert.equal((await request(base, 'GET', '/v2/m/tags/list?n=x')).status, 400);
  assert.ok(JSON.parse((await request(base, 'GET', '/v2/_catalog')).text).repositories.includes('m'));
  const missing = await request(base, 'GET', '/v2/m/manifests/zzz');
  assert.equal(missing.status, 404);
  assert.equal(JSON.parse(missing.text).errors[0].code, 'MANIFEST_UNKNOWN');
  const big = await request(base, 'PUT', '/v2/m/manifests/big', { body: Buffer.alloc(4 * 1024 * 1024 + 1, 32) });
  assert.equal(big.status, 413);
});

test('htpasswd: a Basic challenge without credentials, access with the right ones', async () => {
  const none = await request(authBase, 'GET', '/v2/');
  assert.equal(none.status, 401);
  assert.equal(none.headers['www-authenticate'], 'Basic realm="test realm"');
  assert.equal(JSON.parse(none.text).errors[0].code, 'UNAUTHORIZED');
  const basic = (u: string, p: string) => ({ Authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
  assert.equal((await request(authBase, 'GET', '/v2/', { headers: basic('alice', 'wrong') })).status, 401);
  assert.equal((await request(authBase, 'GET', '/v2/', { headers: basic('bob', 's3cret') })).status, 401);
  assert.equal((await request(authBase, 'GET', '/v2/', { headers: basic('alice', 's3cret') })).status, 200);
  assert.equal((await request(authBase, 'GET', '/v2/_catalog', { headers: basic('alice', 's3cret') })).status, 200);
});
