// Registry client pieces without a registry: auth challenges and X-Registry-Auth, which hosts may use
// plain HTTP, platform choice in an index, layer media types, and the session against fake servers:
// bearer tokens cached per scope, credentials never following a redirect to another host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseChallenge, decodeRegistryAuth } from '../../src/registry/client/auth.js';
import { isInsecure, endpointsFor } from '../../src/registry/client/endpoints.js';
import { pickPlatform, layerCompression, parsePlatform, MT } from '../../src/registry/client/manifest.js';
import { RegistryContext, RegistrySession, readBody } from '../../src/registry/client/session.js';
import { registryOfServerAddress } from '../../src/images/image-registry.js';

const settings = { insecureRegistries: ['10.1.0.0/16', 'reg.example:5000'], registryMirrors: ['https://mirror.example'], certsDir: '/nonexistent' };

test('bearer and basic challenges parse', () => {
  assert.deepEqual(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"'), {
    scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull' },
  });
  assert.deepEqual(parseChallenge('Basic realm="x"'), { scheme: 'basic', params: { realm: 'x' } });
  assert.equal(parseChallenge('Negotiate abc'), undefined);
});

test('X-Registry-Auth is base64url JSON; empty means anonymous; junk is refused', () => {
  const h = Buffer.from(JSON.stringify({ username: 'u', password: 'p', serveraddress: 'x' })).toString('base64url');
  assert.deepEqual(decodeRegistryAuth(h), { username: 'u', password: 'p', identityToken: undefined, registryToken: undefined });
  assert.deepEqual(decodeRegistryAuth(Buffer.from('{}').toString('base64')), { username: undefined, password: undefined, identityToken: undefined, registryToken: undefined });
  assert.throws(() => decodeRegistryAuth('!!!notjson'), /X-Registry-Auth/);
});

test('plain HTTP only for loopback, localhost and insecure-registries', () => {
  assert.equal(isInsecure('127.0.0.1:5000', settings), true);
  assert.equal(isInsecure('127.9.9.9', settings), true);
  assert.equal(isInsecure('localhost:5000', settings), true);
  assert.equal(isInsecure('10.1.2.3:443', settings), true);
  assert.equal(isInsecure('reg.example:5000', settings), true);
  assert.equal(isInsecure('reg.example:5001', settings), false);
  assert.equal(isInsecure('quay.io', settings), false);
  const hub = endpointsFor('docker.io', settings);
  assert.deepEqual(hub.map((e) => [e.url.href, e.mirror]), [['https://mirror.example/', true], ['https://registry-1.docker.io/', false]]);
  assert.equal(registryOfServerAddress('https://index.docker.io/v1/'), 'docker.io');
  assert.equal(registryOfServerAddress('http://127.0.0.1:5000'), '127.0.0.1:5000');
});

test('platform choice in an index, and layer media types', () => {
  const index = { schemaVersion: 2, manifests: [
    { mediaType: MT.ociManifest, digest: 'sha256:' + 'a'.repeat(64), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
    { mediaType: MT.ociManifest, digest: 'sha256:' + 'b'.repeat(64), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
    { mediaType: MT.ociManifest, digest: 'sha256:' + 'c'.repeat(64), size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  ] };
  assert.equal(pickPlatform(index, parsePlatform(undefined, 'amd64'))?.digest[7], 'b');
  assert.equal(pickPlatform(index, parsePlatform('linux/arm64', 'amd64'))?.digest[7], 'c');
  assert.equal(pickPlatform(index, parsePlatform('linux/arm/v7', 'amd64'))?.digest[7], 'a');
  assert.equal(pickPlatform(index, parsePlatform('linux/s390x', 'amd64')), undefined);
  assert.equal(layerCompression(MT.dockerLayerGzip), 'gzip');
  assert.equal(layerCompression(MT.ociLayerZstd), 'zstd');
  assert.equal(layerCompression(MT.ociLayer), 'none');
  assert.equal(layerCompression(MT.dockerForeign), undefined);
  assert.throws(() => layerCompression('application/x-weird'), /unsupported layer media type/);
});

function listen(handler: http.RequestListener): Promise<{ server: http.Server; addr: string }> {
  const server = http.createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, addr: `127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

test('bearer tokens are fetched once per scope; credentials do not follow a redirect to another host', async () => {
  const seen: Array<{ host: string; path: string; auth?: string }> = [];
  const storage = await listen((req, res) => { seen.push({ host: 'storage', path: req.url ?? '', auth: req.headers.authorization }); res.end('blob'); });
  const tokenServer = await listen((req, res) => {
    seen.push({ host: 'token', path: req.url ?? '', auth: req.headers.authorization });
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ token: 'T1', expires_in: 300 }));
  });
  const registry = await listen((req, res) => {
    seen.push({ host: 'registry', path: req.url ?? '', auth: req.headers.authorization });
    if (req.headers.authorization !== 'Bearer T1') {
      res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${tokenServer.addr}/token",service="svc"` });
      res.end();
      return;
    }
    res.writeHead(307, { Location: `http://${storage.addr}/data` });
    res.end();
  });
  try {
    const ctx = new RegistryContext(settings);
    const s = new RegistrySession(ctx, registry.addr, { username: 'u', password: 'p' });
    for (let i = 0; i < 2; i++) {
      const res = await s.request('/v2/a/blobs/sha256:x', { scope: 'repository:a:pull' });
      assert.equal((await readBody(res)).toString(), 'blob');
    }
    const tokenCalls = seen.filter((x) => x.host === 'token');
    assert.equal(tokenCalls.length, 1);
    assert.match(tokenCalls[0].path, /scope=repository%3Aa%3Apull/);
    assert.equal(tokenCalls[0].auth, 'Basic ' + Buffer.from('u:p').toString('base64'));
    const storageCalls = seen.filter((x) => x.host === 'storage');
    assert.equal(storageCalls.length, 2);
    assert.ok(storageCalls.every((x) => x.auth === undefined), 'no credentials to the storage host');
  } finally {
    for (const x of [storage, tokenServer, registry]) x.server.close();
  }
});
