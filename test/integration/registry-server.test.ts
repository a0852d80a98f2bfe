// `berth registry serve` proven with software no one here wrote: skopeo copies images in and out (plain
// HTTP, HTTPS with a CA, htpasswd), the real docker CLI through the reference dockerd pushes, pulls and logs
// in; `berth registry gc` then removes what nothing references.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BERTH, DOCKER } from '../helpers/daemon.js';
import { makeTestCerts } from '../helpers/tls.js';
import { startRefDockerd } from '../helpers/ref-dockerd.js';
import { have, makeDockerArchive, request, startRegistryServer, writeHtpasswd, type RegistryProcess } from '../helpers/registry-server.js';

const noSkopeo = have('skopeo') ? undefined : 'skopeo is not installed';
// A dockerd of this file's own (never one started by hand): the docker CLI's push, pull and login go through it.
const refd = await startRefDockerd();
const noRef = typeof refd === 'string' ? refd : undefined;
if (noRef) console.log(`# reference dockerd tests skipped: ${noRef}`);
const REF_HOST = typeof refd === 'string' ? '' : refd.host;

let dir: string;
let reg: RegistryProcess;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-regserver-it-'));
  reg = await startRegistryServer();
});
after(async () => {
  if (typeof refd !== 'string') await refd.stop();
  await reg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function sh(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): { code: number; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input: opts.input, env: opts.env ?? process.env, timeout: 120_000 });
  return { code: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

const fileDigest = (p: string) => 'sha256:' + createHash('sha256').update(readFileSync(p)).digest('hex');

test('skopeo copies a docker-archive into the registry and back out to dir: and oci:', { skip: noSkopeo }, async (t) => {
  const img = await makeDockerArchive(dir);
  const dest = `docker://${reg.addr}/skopeo/hello:v1`;
  const push = sh('skopeo', ['copy', '--dest-tls-verify=false', `docker-archive:${img.path}`, dest]);
  t.diagnostic(`skopeo copy docker-archive: -> ${dest}:\n${push.out}`);
  assert.equal(push.code, 0, push.out);
  assert.match(push.out, /Writing manifest to image destination/);

  const raw = sh('skopeo', ['inspect', '--tls-verify=false', '--raw', dest]);
  assert.equal(raw.code, 0, raw.out);
  const manifest = JSON.parse(raw.out) as { layers: Array<{ digest: string }>; config: { digest: string } };
  assert.equal(manifest.layers.length, 1);

  const out = join(dir, 'out-dir');
  const pull = sh('skopeo', ['copy', '--src-tls-verify=false', dest, `dir:${out}`]);
  t.diagnostic(`skopeo copy ${dest} -> dir:\n${pull.out}`);
  assert.equal(pull.code, 0, pull.out);
  for (const d of [manifest.layers[0].digest, manifest.config.digest]) {
    const p = join(out, d.slice('sha256:'.length));
    assert.ok(existsSync(p), `${d} copied out`);
    assert.equal(fileDigest(p), d, 'bytes out are the bytes in');
  }
  const config = JSON.parse(readFileSync(join(out, manifest.config.digest.slice(7)), 'utf8')) as { rootfs: { diff_ids: string[] } };
  assert.deepEqual(config.rootfs.diff_ids, [img.diffId]);

  const oci = join(dir, 'out-oci');
  const ociCopy = sh('skopeo', ['copy', '--src-tls-verify=false', dest, `oci:${oci}:v1`]);
  assert.equal(ociCopy.code, 0, ociCopy.out);
  assert.ok(JSON.parse(readFileSync(join(oci, 'index.json'), 'utf8')).manifests.length === 1);

  const tags = await request(`http://${reg.addr}`, 'GET', '/v2/skopeo/hello/tags/list');
  assert.deepEqual(JSON.parse(tags.text), { name: 'skopeo/hello', tags: ['v1'] });
});

test('skopeo over HTTPS (a CA in --dest-cert-dir) and with htpasswd credentials', { skip: noSkopeo }, async () => {
  const pki = join(dir, 'pki');
  mkdirSync(pki);
  makeTestCerts(pki);
  const certDir = join(dir, 'certs');
  mkdirSync(certDir);
  copyFileSync(join(pki, 'ca.pem'), join(certDir, 'ca.crt'));
  await writeHtpasswd(join(dir, 'htpasswd'), 'alice', 'wonderland');
  const secure = await startRegistryServer(['--tls-cert', join(pki, 'server-cert.pem'), '--tls-key', join(pki, 'server-key.pem'), '--htpasswd', join(dir, 'htpasswd')]);
  try {
    assert.match(secure.output(), /listening on https:/);
    const img = await makeDockerArchive(dir);
    const dest = `docker://${secure.addr}/secure/hello:v1`;
    const anon = sh('skopeo', ['copy', '--dest-cert-dir', certDir, `docker-archive:${img.path}`, dest]);
    assert.notEqual(anon.code, 0);
    assert.match(anon.out, /401|unauthorized|authentication required/i);
    const ok = sh('skopeo', ['copy', '--dest-cert-dir', certDir, '--dest-creds', 'alice:wonderland', `docker-archive:${img.path}`, dest]);
    assert.equal(ok.code, 0, ok.out);
    const back = sh('skopeo', ['inspect', '--cert-dir', certDir, '--creds', 'alice:wonderland', dest]);
    assert.equal(back.code, 0, back.out);
    assert.deepEqual(JSON.parse(back.out).RepoTags, ['v1']);
    const plain = sh('skopeo', ['inspect', '--creds', 'alice:wonderland', dest]);
    assert.notEqual(plain.code, 0, 'an unknown CA is refused');
  } finally {
    await secure.stop();
  }
});

test('the real docker CLI through the reference dockerd pushes to and pulls from the registry', { skip: noRef }, async (t) => {
  const cfg = join(dir, 'docker-config');
  mkdirSync(cfg, { recursive: true });
  const docker = (...args: string[]) => sh(DOCKER, ['--config', cfg, '-H', REF_HOST, ...args]);
  const img = await makeDockerArchive(dir, `berth-regtest/hello:${Date.now()}`);
  const loaded = docker('load', '-i', img.path);
  assert.equal(loaded.code, 0, loaded.out);
  const source = /Loaded image: (\S+)/.exec(loaded.out)![1];
  const ref = `${reg.addr}/dockerd/hello:${img.marker.slice(0, 12)}`;
  try {
    assert.equal(docker('tag', source, ref).code, 0);
    const push = docker('push', ref);
    t.diagnostic(`docker push ${ref}:\n${push.out}`);
    assert.equal(push.code, 0, push.out);
    assert.match(push.out, /Pushed/);
    assert.match(push.out, /digest: sha256:[a-f0-9]{64} size: \d+/);
    assert.equal(docker('rmi', ref, source).code, 0);
    const pull = docker('pull', ref);
    t.diagnostic(`docker pull ${ref}:\n${pull.out}`);
    assert.equal(pull.code, 0, pull.out);
    assert.match(pull.out, /Pull complete/);
    const layers = docker('image', 'inspect', '--format', '{{json .RootFS.Layers}}', ref);
    assert.deepEqual(JSON.parse(layers.out), [img.diffId]);
  } finally {
    docker('rmi', '-f', ref, source);
  }
});

test('docker login / push / logout against an htpasswd registry through the reference dockerd', { skip: noRef }, async (t) => {
  await writeHtpasswd(join(dir, 'htpasswd-docker'), 'bob', 'builder');
  const guarded = await startRegistryServer(['--htpasswd', join(dir, 'htpasswd-docker')]);
  const cfg = join(dir, 'docker-config-login');
  mkdirSync(cfg, { recursive: true });
  const docker = (args: string[], input?: string) => sh(DOCKER, ['--config', cfg, '-H', REF_HOST, ...args], { input });
  const ref = `${guarded.addr}/guarded/busybox:latest`;
  try {
    const denied = docker(['login', guarded.addr, '-u', 'bob', '--password-stdin'], 'wrong\n');
    assert.notEqual(denied.code, 0);
    assert.match(denied.out, /unauthorized|401/i);
    const login = docker(['login', guarded.addr, '-u', 'bob', '--password-stdin'], 'builder\n');
    t.diagnostic(`docker login ${guarded.addr}: ${login.out.trim()}`);
    assert.equal(login.code, 0, login.out);
    assert.match(login.out, /Login Succeeded/);
    assert.equal(docker(['tag', 'busybox:latest', ref]).code, 0);
    const push = docker(['push', ref]);
    assert.equal(push.code, 0, push.out);
    assert.equal(docker(['logout', guarded.addr]).code, 0);
    docker(['rmi', ref]);
    const anon = docker(['pull', ref]);
    assert.notEqual(anon.code, 0, 'no pull without credentials');
  } finally {
    docker(['rmi', '-f', ref]);
    await guarded.stop();
  }
});

test('berth registry gc deletes blobs no manifest references', async () => {
  const base = `http://${reg.addr}`;
  const orphan = Buffer.from(`orphan ${Date.now()}`);
  const digest = 'sha256:' + createHash('sha256').update(orphan).digest('hex');
  const post = await request(base, 'POST', `/v2/gc/orphan/blobs/uploads/?digest=${digest}`, { body: orphan });
  assert.equal(post.status, 201);
  const dry = sh(process.execPath, [BERTH, 'registry', 'gc', '--dry-run', '--root', reg.root]);
  assert.equal(dry.code, 0, dry.out);
  assert.match(dry.out, new RegExp(`would delete blob ${digest}`));
  assert.equal((await request(base, 'HEAD', `/v2/gc/orphan/blobs/${digest}`)).status, 200);
  const gc = sh(process.execPath, [BERTH, 'registry', 'gc', '--root', reg.root]);
  assert.equal(gc.code, 0, gc.out);
  assert.match(gc.out, new RegExp(`deleted blob ${digest}`));
  assert.match(gc.out, /\d+ blobs marked, \d+ blobs deleted/);
  assert.equal((await request(base, 'HEAD', `/v2/gc/orphan/blobs/${digest}`)).status, 404);
  assert.ok(!readdirSync(join(reg.root, 'blobs', 'sha256')).includes(digest.slice(7)));
});

test('berth registry serve refuses bad flags clearly', () => {
  const noRoot = sh(process.execPath, [BERTH, 'registry', 'serve']);
  assert.equal(noRoot.code, 125);
  assert.match(noRoot.out, /flag --root is required/);
  const half = sh(process.execPath, [BERTH, 'registry', 'serve', '--root', dir, '--tls-cert', 'x']);
  assert.match(half.out, /--tls-cert and --tls-key go together/);
  const addr = sh(process.execPath, [BERTH, 'registry', 'serve', '--root', dir, '--addr', 'nonsense']);
  assert.notEqual(addr.code, 0);
  assert.match(addr.out, /invalid listen address/);
});
