// Pulls that go wrong: a connection cut mid-layer keeps the bytes already received and the next pull
// asks only for the rest (HTTP Range); berthd killed with -9 mid-pull resumes after restart; a corrupted
// blob fails the pull with Docker's verification error and leaves no image and no layer behind.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, DOCKER, type TestDaemon, type RunResult } from '../helpers/daemon.js';
import { startRegistry, REGISTRY_BIN, type TestRegistry } from '../helpers/registry.js';
import { startCuttingProxy, type CuttingProxy } from '../helpers/cutting-proxy.js';
import { imageArchive } from '../helpers/image-tar.js';

const skip = !existsSync(REGISTRY_BIN) ? `${REGISTRY_BIN} is missing` : false;
const ok = (r: RunResult): string => { assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout}\n${r.stderr}`); return r.stdout; };
const LAYER = 8 << 20;

describe('interrupted and corrupted pulls', { skip }, () => {
  let d: TestDaemon;
  let reg: TestRegistry;
  let proxy: CuttingProxy;
  const work = mkdtempSync(join(tmpdir(), 'berth-resumeit-'));
  let ref = '';
  const partialDir = () => join(d.dataRoot, 'image', 'pull-partial');
  const partials = () => (existsSync(partialDir()) ? readdirSync(partialDir()) : []);

  before(async () => {
    reg = await startRegistry();
    proxy = await startCuttingProxy(work, reg.addr);
    d = await startDaemon(['--no-seed-busybox']);
    ref = `${proxy.addr}/big:1`;
    // Random bytes: gzip cannot shrink them, so a cut at a byte count lands mid-layer.
    writeFileSync(join(work, 'img.tar'), await imageArchive('big:1', [{ 'small.txt': 'x\n' }, { 'big.bin': randomBytes(LAYER) }]));
    ok(d.docker(['load', '-i', join(work, 'img.tar')]));
    ok(d.docker(['tag', 'big:1', ref]));
    ok(d.docker(['push', ref]));
    ok(d.docker(['rmi', ref, 'big:1']));
  });
  after(async () => {
    await d?.stop();
    await proxy?.stop();
    await reg?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('a corrupted blob fails the pull and leaves nothing half-made', () => {
    proxy.setMode('corrupt');
    const r = d.docker(['pull', ref]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr + r.stdout, /verification failed for digest sha256:[a-f0-9]{64}/);
    assert.equal(ok(d.docker(['images', '-q'])).trim(), '');
    const layers = readdirSync(join(d.dataRoot, 'image', 'layers')).filter((n) => !n.startsWith('.'));
    assert.ok(layers.length <= 1, `only the small layer may have landed: ${layers}`); // it may come through intact
    assert.deepEqual(partials().filter((p) => statSync(join(partialDir(), p)).size > 1000), []);
  });

  test('a cut connection keeps the received bytes; the next pull resumes with Range', () => {
    proxy.setMode(`cut:${LAYER / 8}`);
    const r = d.docker(['pull', ref]);
    assert.equal(r.code, 1, r.stdout);
    const kept = partials().map((p) => statSync(join(partialDir(), p)).size).filter((n) => n > 0);
    assert.equal(kept.length, 1, `one partial layer expected, got ${kept}`);
    assert.ok(kept[0] >= LAYER / 8 && kept[0] < LAYER, String(kept[0]));
    proxy.setMode('pass');
    const seen = proxy.requests().length;
    const out = ok(d.docker(['pull', ref]));
    assert.match(out, /Status: Downloaded newer image/);
    const ranges = proxy.requests().slice(seen).filter((q) => q.range);
    assert.ok(ranges.some((q) => q.range === `bytes=${kept[0]}-`), JSON.stringify(ranges));
    assert.deepEqual(partials(), []);
    assert.equal(ok(d.docker(['image', 'inspect', '--format', '{{len .RootFS.Layers}}', ref])).trim(), '2');
  });

  test('kill -9 of berthd mid-pull: the pull resumes after restart and the store stays consistent', async () => {
    ok(d.docker(['rmi', ref]));
    proxy.setMode(`cut:${LAYER / 4}`);
    // The cut connection stalls nothing: berthd retries, gets cut again; kill it while partial bytes exist.
    const env = { ...process.env, DOCKER_HOST: d.host };
    const child = spawn(DOCKER, ['pull', ref], { env, stdio: 'ignore' });
    for (let i = 0; i < 200 && !partials().some((p) => statSync(join(partialDir(), p)).size > 0); i++) await new Promise((res) => setTimeout(res, 50));
    await d.kill9();
    child.kill('SIGKILL');
    await d.restart();
    assert.equal(ok(d.docker(['images', '-q', ref])).trim(), '');
    proxy.setMode('pass');
    const out = ok(d.docker(['pull', ref]));
    assert.match(out, /Status: Downloaded newer image/);
    assert.equal(ok(d.docker(['image', 'inspect', '--format', '{{len .RootFS.Layers}}', ref])).trim(), '2');
  });

  test('two clients pulling one image share one download', async () => {
    d.docker(['rmi', ref]);
    proxy.setMode('pass');
    const seen = proxy.requests().length;
    const env = { ...process.env, DOCKER_HOST: d.host };
    const pullOnce = () => new Promise<number>((resolve) => {
      const c = spawn(DOCKER, ['pull', '-q', ref], { env, stdio: 'ignore' });
      const t = setTimeout(() => c.kill('SIGKILL'), 120_000);
      c.once('exit', (code) => { clearTimeout(t); resolve(code ?? -1); });
    });
    assert.deepEqual(await Promise.all([pullOnce(), pullOnce()]), [0, 0]);
    const blobGets = proxy.requests().slice(seen).filter((q) => q.method === 'GET' && q.path.includes('/blobs/sha256:'));
    const perBlob = new Map<string, number>();
    for (const q of blobGets) perBlob.set(q.path, (perBlob.get(q.path) ?? 0) + 1);
    // The config is read by each pull; each layer once.
    const counts = [...perBlob.values()].sort();
    assert.deepEqual(counts, [1, 1, 2], JSON.stringify([...perBlob]));
  });
});
