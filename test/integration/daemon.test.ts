// berthd as a server: Docker's ping/version/error shapes, the root-only socket, and TCP only with TLS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, BERTHD, DOCKER, type TestDaemon } from '../helpers/daemon.js';
import { makeTestCerts, freePort } from '../helpers/tls.js';

let d: TestDaemon;
before(async () => { d = await startDaemon(['--no-seed-busybox']); });
after(async () => { await d?.stop(); });

test('ping answers with the API version header', async () => {
  const r = await d.api('GET', '/_ping');
  assert.equal(r.status, 200);
  assert.equal(r.body, 'OK');
  assert.equal(r.headers['api-version'], '1.50');
  assert.equal(r.headers.ostype, 'linux');
});

test('the docker CLI reads version and info', () => {
  const v = d.docker(['version', '--format', '{{.Server.APIVersion}} {{.Server.MinAPIVersion}}']);
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.stdout.trim(), '1.50 1.24');
  const i = d.docker(['info', '--format', '{{.DefaultRuntime}} {{.Driver}}']);
  assert.equal(i.code, 0, i.stderr);
  assert.equal(i.stdout.trim(), 'runc overlay2');
});

test('unknown endpoints and bad versions answer in Docker\'s error shape', async () => {
  const r = await d.api('GET', '/v1.50/nothing/here');
  assert.equal(r.status, 404);
  assert.deepEqual(JSON.parse(r.body), { message: 'page not found' });
  const v = await d.api('GET', '/v1.99/info');
  assert.equal(v.status, 400);
  assert.match(JSON.parse(v.body).message, /client version 1.99 is too new/);
});

test('the UNIX socket is root-only', () => {
  const st = statSync(d.socket);
  assert.equal(st.mode & 0o777, 0o660);
  assert.equal(st.uid, 0);
  assert.equal(st.gid, 0);
});

test('plain TCP is refused without an explicit insecure flag', async () => {
  const base = mkdtempSync(join(tmpdir(), 'berth-tcp-'));
  try {
    const port = await freePort();
    const r = spawnSync(process.execPath, [BERTHD, '-H', `tcp://127.0.0.1:${port}`, '--data-root', join(base, 'd'), '--exec-root', join(base, 'e'), '--no-seed-busybox'], { encoding: 'utf8', timeout: 20_000 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /without TLS/);
  } finally { rmSync(base, { recursive: true, force: true }); }
});

test('TCP with TLS serves clients that present a certificate signed by the CA, and no others', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-tls-'));
  makeTestCerts(dir);
  const port = await freePort();
  const t = await startDaemon(['--no-seed-busybox', '-H', `tcp://127.0.0.1:${port}`, '--tlsverify', '--tlscacert', join(dir, 'ca.pem'), '--tlscert', join(dir, 'server-cert.pem'), '--tlskey', join(dir, 'server-key.pem')]);
  try {
    const env = { ...process.env, DOCKER_CONFIG: dir };
    const ok = spawnSync(DOCKER, ['-H', `tcp://127.0.0.1:${port}`, '--tlsverify', '--tlscacert', join(dir, 'ca.pem'), '--tlscert', join(dir, 'cert.pem'), '--tlskey', join(dir, 'key.pem'), 'version', '--format', '{{.Server.APIVersion}}'], { encoding: 'utf8', env, timeout: 30_000 });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), '1.50');
    const noCert = spawnSync(DOCKER, ['-H', `tcp://127.0.0.1:${port}`, '--tlsverify', '--tlscacert', join(dir, 'ca.pem'), 'version', '--format', '{{.Server.APIVersion}}'], { encoding: 'utf8', env: { ...env, DOCKER_CONFIG: join(dir, 'empty') }, timeout: 30_000 });
    assert.notEqual(noCert.status, 0, 'a client without a certificate must be refused');
  } finally {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
