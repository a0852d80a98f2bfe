// The registry client against software no one here wrote: Debian's docker-registry (CNCF distribution)
// with htpasswd auth on 127.0.0.1. The real docker CLI through berthd logs in, pushes a multi-layer image,
// pulls it back (by tag and by digest), runs an image it does not have yet, searches; skopeo reads what
// berthd pushed; a second repository gets its layers by cross-repository mount.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { startDaemon, type TestDaemon, type RunResult } from '../helpers/daemon.js';
import { startRegistry, REGISTRY_BIN, type TestRegistry } from '../helpers/registry.js';
import { imageArchive } from '../helpers/image-tar.js';

const skip = !existsSync(REGISTRY_BIN) ? `${REGISTRY_BIN} is missing (apt-get install docker-registry)` : false;
if (skip) console.log(`# skipping registry tests: ${skip}`);

const ok = (r: RunResult): string => { assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout}\n${r.stderr}`); return r.stdout; };

function apiWithAuth(d: TestDaemon, path: string, auth: object): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: d.socket, path, method: 'GET', headers: { 'X-Registry-Auth': Buffer.from(JSON.stringify(auth)).toString('base64url') } }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('pull and push with docker-registry (htpasswd)', { skip }, () => {
  let d: TestDaemon;
  let reg: TestRegistry;
  const work = mkdtempSync(join(tmpdir(), 'berth-regit-'));
  let repo = '';

  before(async () => {
    reg = await startRegistry({ htpasswd: { alice: 's3cret' } });
    d = await startDaemon(['--no-seed-busybox']);
    repo = `${reg.addr}/team/app`;
    const archive = await imageArchive('app:1', [
      { 'bin/busybox': readFileSync('/bin/busybox') },
      { 'one.txt': 'one\n' },
      { 'two.txt': 'two\n', 'big.bin': Buffer.alloc(3 << 20, 7) },
    ], ['/bin/busybox', 'cat', '/two.txt']);
    writeFileSync(join(work, 'app.tar'), archive);
    ok(d.docker(['load', '-i', join(work, 'app.tar')]));
  });
  after(async () => {
    await d?.stop();
    await reg?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('login checks the password against the registry; push needs it', () => {
    const bad = d.docker(['login', '-u', 'alice', '--password-stdin', reg.addr], { input: 'wrong\n' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /login attempt to http:\/\/127\.0\.0\.1:\d+\/v2\/ failed with status: 401 Unauthorized/);
    ok(d.docker(['tag', 'app:1', `${repo}:1`]));
    const denied = d.docker(['push', `${repo}:1`]);
    assert.notEqual(denied.code, 0, denied.stdout);
    const good = d.docker(['login', '-u', 'alice', '--password-stdin', reg.addr], { input: 's3cret\n' });
    assert.match(ok(good), /Login Succeeded/);
  });

  test('push uploads every layer; skopeo reads what berthd pushed', () => {
    const out = ok(d.docker(['push', `${repo}:1`]));
    assert.match(out, /The push refers to repository \[127\.0\.0\.1:\d+\/team\/app\]/);
    assert.equal((out.match(/: Pushed/g) ?? []).length, 3, out);
    assert.match(out, /1: digest: sha256:[a-f0-9]{64} size: \d+/);
    const sk = spawnSync('skopeo', ['inspect', '--tls-verify=false', '--creds', 'alice:s3cret', `docker://${repo}:1`], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(sk.status, 0, sk.stderr);
    const info = JSON.parse(sk.stdout) as { Layers: string[]; Architecture: string; Os: string; Digest: string };
    assert.equal(info.Layers.length, 3);
    assert.equal(info.Os, 'linux');
    const digest = /digest: (sha256:[a-f0-9]{64})/.exec(out)![1];
    assert.equal(info.Digest, digest);
    assert.match(ok(d.docker(['inspect', '--format', '{{json .RepoDigests}}', `${repo}:1`])), new RegExp(`${repo}@${digest}`));
  });

  test('a second push skips layers; another repository mounts them', () => {
    assert.equal((ok(d.docker(['push', `${repo}:1`])).match(/Layer already exists/g) ?? []).length, 3);
    ok(d.docker(['tag', 'app:1', `${reg.addr}/team/other:1`]));
    const out = ok(d.docker(['push', `${reg.addr}/team/other:1`]));
    assert.equal((out.match(/Mounted from team\/app/g) ?? []).length, 3, out);
  });

  test('pull brings the image back with its digest; by digest too', () => {
    ok(d.docker(['rmi', `${repo}:1`, `${reg.addr}/team/other:1`, 'app:1']));
    assert.equal(ok(d.docker(['images', '-q'])).trim(), '');
    const out = ok(d.docker(['pull', `${repo}:1`]));
    assert.match(out, /1: Pulling from team\/app/);
    assert.equal((out.match(/Pull complete/g) ?? []).length, 3, out);
    assert.match(out, /Digest: sha256:[a-f0-9]{64}/);
    assert.match(out, new RegExp(`Status: Downloaded newer image for ${repo}:1`));
    const digest = /Digest: (sha256:[a-f0-9]{64})/.exec(out)![1];
    const listed = ok(d.docker(['images', '--digests', '--format', '{{.Repository}} {{.Tag}} {{.Digest}}']));
    assert.match(listed, new RegExp(`${repo} 1 ${digest}`));
    const again = ok(d.docker(['pull', `${repo}@${digest}`]));
    assert.match(again, new RegExp(`Status: Image is up to date for ${repo}@${digest}`));
    assert.equal(ok(d.docker(['run', '--rm', `${repo}@${digest}`])).trim(), 'two');
    // Layers already present are not fetched again.
    ok(d.docker(['tag', `${repo}:1`, `${repo}:copy`]));
    ok(d.docker(['push', `${repo}:copy`]));
    ok(d.docker(['rmi', `${repo}:copy`]));
    const third = ok(d.docker(['pull', `${repo}:copy`]));
    assert.equal((third.match(/Already exists/g) ?? []).length, 3, third);
  });

  test('run of an image not present pulls it first; --pull never refuses', () => {
    ok(d.docker(['rmi', '-f', `${repo}:1`]));
    spawnSync('true');
    const never = d.docker(['run', '--rm', '--pull', 'never', `${reg.addr}/team/other:1`]);
    assert.equal(never.code, 125);
    assert.match(never.stderr, /No such image: 127\.0\.0\.1:\d+\/team\/other:1/);
    const r = d.docker(['run', '--rm', `${reg.addr}/team/other:1`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Unable to find image '127\.0\.0\.1:\d+\/team\/other:1' locally/);
    assert.equal(r.stdout.trim(), 'two');
  });

  test('distribution inspect and search', async () => {
    const dist = await apiWithAuth(d, `/v1.50/distribution/${repo}:1/json`, { username: 'alice', password: 's3cret', serveraddress: reg.addr });
    assert.equal(dist.status, 200, dist.body);
    const body = JSON.parse(dist.body) as { Descriptor: { mediaType: string; digest: string }; Platforms: Array<{ os: string; architecture: string }> };
    assert.equal(body.Descriptor.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.deepEqual(body.Platforms, [{ architecture: 'amd64', os: 'linux' }]);
    // docker-registry has no v1 search: berthd answers from the v2 catalog.
    const found = ok(d.docker(['search', '--format', '{{.Name}}', `${reg.addr}/team`]));
    assert.deepEqual(found.trim().split('\n').sort(), [`${reg.addr}/team/app`, `${reg.addr}/team/other`]);
  });

  test('unknown tags and bad references get Docker\'s errors', () => {
    const missing = d.docker(['pull', `${reg.addr}/team/app:nope`]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /manifest for 127\.0\.0\.1:\d+\/team\/app:nope not found: manifest unknown/);
    const bad = d.berth(['pull', `${reg.addr}/Team/App`]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /invalid reference format/);
  });

  test('berth login, pull and push; logout forgets the credentials', () => {
    ok(d.berth(['logout', reg.addr]));
    assert.notEqual(d.berth(['pull', `${repo}:1`]).code, 0);
    assert.match(ok(d.berth(['login', '-u', 'alice', '--password-stdin', reg.addr], { input: 's3cret\n' })), /Login Succeeded/);
    const out = ok(d.berth(['pull', `${repo}:1`]));
    assert.match(out, /Digest: sha256:/);
    assert.match(ok(d.berth(['push', `${repo}:1`])), /1: digest: sha256:[a-f0-9]{64}/);
    assert.match(ok(d.docker(['logout', reg.addr])), /Removing login credentials for 127\.0\.0\.1:\d+/);
  });
});
