// Where images come from, end to end through a real berthd and Debian's docker-registry on 127.0.0.1:
// zstd layers, an OCI index (the platform picked from it), a registry-mirror for docker.io names, a
// registry that wants a client certificate (found in berthd's own certs.d directory, never the host's),
// and a push to berthd's embedded registry server. Images are written straight through the registry API.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import http from 'node:http';
import https from 'node:https';
import tar from 'tar-stream';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { REGISTRY_BIN, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { freePort, makeTestCerts } from '../helpers/tls.js';

const skip = existsSync(REGISTRY_BIN) ? undefined : `${REGISTRY_BIN} missing (apt-get install docker-registry)`;
const noZstd = spawnSync('zstd', ['--version']).status === 0 ? undefined : 'the zstd tool is not installed (apt-get install zstd)';

interface Tls { ca: Buffer; cert: Buffer; key: Buffer }

function call(url: string, method: string, headers: Record<string, string | number>, body?: Buffer | string, tls?: Tls): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.request(url, { method, headers, agent: false, ...(tls ?? {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const sha = (b: Buffer | string) => 'sha256:' + createHash('sha256').update(b).digest('hex');

class Pusher {
  constructor(readonly base: string, readonly tls?: Tls) {}

  async blob(repo: string, data: Buffer): Promise<{ digest: string; size: number }> {
    const digest = sha(data);
    const start = await call(`${this.base}/v2/${repo}/blobs/uploads/`, 'POST', { 'Content-Length': 0 }, undefined, this.tls);
    assert.equal(start.status, 202, start.text);
    const u = new URL(String(start.headers.location), this.base);
    u.searchParams.set('digest', digest);
    const put = await call(u.toString(), 'PUT', { 'Content-Type': 'application/octet-stream', 'Content-Length': data.length }, data, this.tls);
    assert.equal(put.status, 201, put.text);
    return { digest, size: data.length };
  }

  async manifest(repo: string, ref: string, mediaType: string, body: string): Promise<{ digest: string; size: number }> {
    const put = await call(`${this.base}/v2/${repo}/manifests/${ref}`, 'PUT', { 'Content-Type': mediaType, 'Content-Length': Buffer.byteLength(body) }, body, this.tls);
    assert.equal(put.status, 201, put.text);
    return { digest: sha(body), size: Buffer.byteLength(body) };
  }

  /** A one-layer OCI image holding /marker.txt; returns the manifest's descriptor. */
  async image(repo: string, ref: string, opts: { marker: string; arch?: string; zstd?: boolean }): Promise<{ digest: string; size: number; mediaType: string }> {
    const layerTar = await tarOf({ 'marker.txt': opts.marker });
    const packed = opts.zstd ? spawnSync('zstd', ['-q', '-c'], { input: layerTar, maxBuffer: 64 << 20 }).stdout : gzipSync(layerTar);
    const layer = await this.blob(repo, packed);
    const config = Buffer.from(JSON.stringify({
      architecture: opts.arch ?? 'amd64', os: 'linux', config: { Cmd: ['/marker'] },
      rootfs: { type: 'layers', diff_ids: [sha(layerTar)] }, history: [{ created_by: `berth-test ${opts.marker}` }],
    }));
    const cfg = await this.blob(repo, config);
    const mediaType = 'application/vnd.oci.image.manifest.v1+json';
    const m = await this.manifest(repo, ref, mediaType, JSON.stringify({
      schemaVersion: 2, mediaType,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...cfg },
      layers: [{ mediaType: `application/vnd.oci.image.layer.v1.tar+${opts.zstd ? 'zstd' : 'gzip'}`, ...layer }],
    }));
    return { ...m, mediaType };
  }
}

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => { chunks.push(c as Buffer); });
  const done = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const [name, data] of Object.entries(files)) pack.entry({ name, mode: 0o644, mtime: new Date(0) }, data);
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

describe('image sources: zstd, OCI index, mirrors, certs.d, the embedded registry', { skip }, () => {
  let dir: string;
  let d: TestDaemon;
  let plain: TestRegistry;
  let mirror: TestRegistry;
  let mtls: TestRegistry;
  let mtlsNoCerts: TestRegistry;
  let ownAddr: string;
  let tls: Tls;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-regsources-'));
    mkdirSync(join(dir, 'pki'));
    makeTestCerts(join(dir, 'pki'));
    const pki = (f: string) => join(dir, 'pki', f);
    tls = { ca: readFileSync(pki('ca.pem')), cert: readFileSync(pki('cert.pem')), key: readFileSync(pki('key.pem')) };
    plain = await startRegistry();
    mirror = await startRegistry();
    const serverTls = { cert: pki('server-cert.pem'), key: pki('server-key.pem'), clientCa: pki('ca.pem') };
    mtls = await startRegistry({ tls: serverTls });
    mtlsNoCerts = await startRegistry({ tls: serverTls });
    // berthd's certs.d: the CA and a client pair for one of the two TLS registries only.
    const certs = join(dir, 'certs.d', mtls.addr);
    mkdirSync(certs, { recursive: true });
    copyFileSync(pki('ca.pem'), join(certs, 'ca.crt'));
    copyFileSync(pki('cert.pem'), join(certs, 'client.cert'));
    copyFileSync(pki('key.pem'), join(certs, 'client.key'));
    ownAddr = `127.0.0.1:${await freePort()}`;
    writeFileSync(join(dir, 'daemon.json'), JSON.stringify({
      'registry-mirrors': [`http://${mirror.addr}`],
      'registry-certs-dir': join(dir, 'certs.d'),
      'registry-server': { addr: ownAddr },
    }));
    d = await startDaemon(['--config-file', join(dir, 'daemon.json')]);
  });

  after(async () => {
    await d?.stop();
    for (const r of [plain, mirror, mtls, mtlsNoCerts]) await r?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** /marker.txt of `ref`, read through a created (never started) container. */
  function markerOf(ref: string): string {
    const name = `marker-${Math.random().toString(16).slice(2, 10)}`;
    const c = d.docker(['create', '--name', name, ref]);
    assert.equal(c.code, 0, c.stderr);
    try {
      const cp = d.docker(['cp', `${name}:/marker.txt`, '-']);
      assert.equal(cp.code, 0, cp.stderr);
      return cp.stdout;
    } finally {
      d.docker(['rm', '-f', name]);
    }
  }

  test('a zstd-compressed OCI layer is pulled, verified and unpacked', { skip: noZstd }, async () => {
    await new Pusher(`http://${plain.addr}`).image('zstd/img', 'v1', { marker: 'zstd-marker-1', zstd: true });
    const ref = `${plain.addr}/zstd/img:v1`;
    const r = d.docker(['pull', ref], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(markerOf(ref), /zstd-marker-1/);
  });

  test('an OCI index: linux/amd64 by default, another platform with --platform', async () => {
    const p = new Pusher(`http://${plain.addr}`);
    const amd = await p.image('multi/img', 'amd64-only', { marker: 'for-amd64', arch: 'amd64' });
    const arm = await p.image('multi/img', 'arm64-only', { marker: 'for-arm64', arch: 'arm64' });
    const mediaType = 'application/vnd.oci.image.index.v1+json';
    await p.manifest('multi/img', 'latest', mediaType, JSON.stringify({
      schemaVersion: 2, mediaType,
      manifests: [
        { ...arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        { ...amd, platform: { os: 'linux', architecture: 'amd64' } },
      ],
    }));
    const ref = `${plain.addr}/multi/img:latest`;
    const r = d.docker(['pull', ref], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(d.docker(['image', 'inspect', '--format', '{{.Architecture}}', ref]).stdout.trim(), 'amd64');
    assert.match(markerOf(ref), /for-amd64/);
    const other = d.docker(['pull', '--platform', 'linux/arm64', ref], { timeoutMs: 120_000 });
    assert.equal(other.code, 0, other.stderr + other.stdout);
    assert.equal(d.docker(['image', 'inspect', '--format', '{{.Architecture}}', ref]).stdout.trim(), 'arm64');
    const none = d.docker(['pull', '--platform', 'linux/s390x', ref], { timeoutMs: 120_000 });
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /no matching manifest for linux\/s390x/);
  });

  test('a docker.io name comes from the registry mirror', async () => {
    await new Pusher(`http://${mirror.addr}`).image('library/mirrored', 'latest', { marker: 'from-the-mirror' });
    const r = d.docker(['pull', 'mirrored'], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /docker\.io\/library\/mirrored:latest/);
    assert.match(markerOf('mirrored'), /from-the-mirror/);
  });

  test('certs.d: a registry that wants a client certificate gets the one in berthd\'s certs dir', async () => {
    await new Pusher(`https://${mtls.addr}`, tls).image('secure/img', 'v1', { marker: 'mutual-tls' });
    await new Pusher(`https://${mtlsNoCerts.addr}`, tls).image('secure/img', 'v1', { marker: 'unreachable' });
    const ok = d.docker(['pull', `${mtls.addr}/secure/img:v1`], { timeoutMs: 120_000 });
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    assert.match(markerOf(`${mtls.addr}/secure/img:v1`), /mutual-tls/);
    // Same CA, same server, but no certs.d entry for this host:port: no client certificate, no image.
    const refused = d.docker(['pull', `${mtlsNoCerts.addr}/secure/img:v1`], { timeoutMs: 120_000 });
    assert.notEqual(refused.code, 0, refused.stdout);
  });

  test('docker push to berthd\'s own registry server, then pull it back by digest', async () => {
    const target = `${ownAddr}/own/busybox:v1`;
    assert.equal(d.docker(['tag', 'busybox:latest', target]).code, 0);
    const push = d.docker(['push', target], { timeoutMs: 120_000 });
    assert.equal(push.code, 0, push.stderr + push.stdout);
    const digest = /digest: (sha256:[a-f0-9]{64})/.exec(push.stdout)?.[1];
    assert.ok(digest, push.stdout);
    const m = await call(`http://${ownAddr}/v2/own/busybox/manifests/v1`, 'GET', { Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' });
    assert.equal(m.status, 200, m.text);
    assert.equal(m.headers['docker-content-digest'], digest);
    assert.equal(d.docker(['rmi', target]).code, 0);
    const pull = d.docker(['pull', `${ownAddr}/own/busybox@${digest}`], { timeoutMs: 120_000 });
    assert.equal(pull.code, 0, pull.stderr + pull.stdout);
    const ids = [d.docker(['image', 'inspect', '--format', '{{.Id}}', 'busybox:latest']).stdout.trim(), d.docker(['image', 'inspect', '--format', '{{.Id}}', `${ownAddr}/own/busybox@${digest}`]).stdout.trim()];
    assert.equal(ids[0], ids[1]);
  });
});
