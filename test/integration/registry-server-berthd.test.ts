// The registry server inside berthd (daemon.json "registry-server"): it serves from berthd's own content
// store, so blobs berthd has are there already and pushed blobs land in berthd's store once; berthd's image
// garbage collection leaves the registry's blobs alone; it comes back after a restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRefDockerd } from '../helpers/ref-dockerd.js';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { freePort } from '../helpers/tls.js';
import { have, makeDockerArchive, request } from '../helpers/registry-server.js';

let d: TestDaemon;
let dir: string;
let base: string;
let addr: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-regserver-berthd-'));
  addr = `127.0.0.1:${await freePort()}`;
  base = `http://${addr}`;
  writeFileSync(join(dir, 'daemon.json'), JSON.stringify({ 'registry-server': { addr } }));
  d = await startDaemon(['--config-file', join(dir, 'daemon.json')]);
});
after(async () => {
  await d?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const blobFile = (digest: string) => join(d.dataRoot, 'image', 'blobs', 'sha256', digest.slice('sha256:'.length));

test('berthd serves the Distribution API on the configured address', async () => {
  const r = await request(base, 'GET', '/v2/');
  assert.equal(r.status, 200);
  assert.equal(r.headers['docker-distribution-api-version'], 'registry/2.0');
  assert.match(d.log(), new RegExp(`registry server listening on ${addr.replace(/\./g, '\\.')}`));
});

test('blobs berthd already has are served without a push', async () => {
  const id = d.docker(['image', 'inspect', '--format', '{{.Id}}', 'busybox:latest']).stdout.trim();
  assert.match(id, /^sha256:[a-f0-9]{64}$/);
  const head = await request(base, 'HEAD', `/v2/any/repo/blobs/${id}`);
  assert.equal(head.status, 200);
  assert.equal(head.headers['docker-content-digest'], id);
});

test('berthd\'s own images are served read-only under their names: skopeo and dockerd pull them', async (t) => {
  const diffIds = JSON.parse(d.docker(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', 'busybox:latest']).stdout) as string[];
  const tags = await request(base, 'GET', '/v2/busybox/tags/list');
  assert.deepEqual(JSON.parse(tags.text), { name: 'busybox', tags: ['latest'] });
  assert.ok(JSON.parse((await request(base, 'GET', '/v2/_catalog')).text).repositories.includes('busybox'));
  const m = await request(base, 'GET', '/v2/library/busybox/manifests/latest');
  assert.equal(m.status, 200, m.text);
  assert.equal(m.headers['content-type'], 'application/vnd.oci.image.manifest.v1+json');
  assert.deepEqual((JSON.parse(m.text) as { layers: Array<{ digest: string }> }).layers.map((l) => l.digest), diffIds);
  const byDigest = await request(base, 'GET', `/v2/library/busybox/manifests/${m.headers['docker-content-digest']}`);
  assert.equal(byDigest.status, 200);
  if (have('skopeo')) {
    const out = join(dir, 'busybox-out');
    const copy = spawnSync('skopeo', ['copy', '--src-tls-verify=false', `docker://${addr}/busybox:latest`, `dir:${out}`], { encoding: 'utf8', timeout: 120_000 });
    t.diagnostic(`skopeo copy docker://${addr}/busybox:latest dir:: ${copy.stdout}${copy.stderr}`);
    assert.equal(copy.status, 0, copy.stderr);
    assert.ok(existsSync(join(out, diffIds[0].slice(7))));
  }
  const ref = await startRefDockerd();
  if (typeof ref === 'string') { t.diagnostic(`dockerd pull skipped: ${ref}`); return; }
  try {
    const image = `${addr}/busybox:latest`;
    const pull = ref.docker(['pull', image]);
    t.diagnostic(`docker -H ref pull ${image}: ${pull.stdout}${pull.stderr}`);
    assert.equal(pull.status, 0, pull.stderr);
    const layers = ref.docker(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', image]);
    assert.deepEqual(JSON.parse(layers.stdout), diffIds);
  } finally {
    await ref.stop();
  }
});

test('a pushed image lands in berthd\'s content store and survives berthd\'s image prune and a restart', { skip: have('skopeo') ? undefined : 'skopeo is not installed' }, async () => {
  const img = await makeDockerArchive(dir);
  const dest = `docker://${addr}/inside/hello:v1`;
  const push = spawnSync('skopeo', ['copy', '--dest-tls-verify=false', `docker-archive:${img.path}`, dest], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(push.status, 0, push.stderr);
  const raw = spawnSync('skopeo', ['inspect', '--tls-verify=false', '--raw', dest], { encoding: 'utf8' });
  const manifest = JSON.parse(raw.stdout) as { config: { digest: string }; layers: Array<{ digest: string }> };
  const digests = [manifest.config.digest, ...manifest.layers.map((l) => l.digest)];
  for (const dg of digests) assert.ok(existsSync(blobFile(dg)), `${dg} is in berthd's content store`);

  const prune = d.docker(['image', 'prune', '-a', '-f']);
  assert.equal(prune.code, 0, prune.stderr);
  for (const dg of digests) assert.ok(existsSync(blobFile(dg)), `${dg} kept by berthd's garbage collection`);

  await d.kill9(); // restart() starts a new berthd on the same roots; the old one must be gone first
  await d.restart();
  const out = join(dir, 'out');
  const pull = spawnSync('skopeo', ['copy', '--src-tls-verify=false', dest, `dir:${out}`], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(pull.status, 0, pull.stderr);
  assert.ok(existsSync(join(out, manifest.layers[0].digest.slice(7))));
});
