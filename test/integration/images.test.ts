// The real docker CLI against berthd for images: list, tag, rmi, save → load into a second daemon with the
// same ID, import with --change, history, inspect, and Docker's wording for unknown images.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, copyFileSync, symlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';

describe('images via the docker CLI', () => {
  let d: TestDaemon;
  let d2: TestDaemon;
  const work = mkdtempSync(join(tmpdir(), 'berth-imgit-'));

  before(async () => {
    d = await startDaemon();
    d2 = await startDaemon(['--no-seed-busybox']);
  });
  after(async () => {
    await d?.stop();
    await d2?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const ok = (r: { code: number; stdout: string; stderr: string }) => {
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  test('docker images shows the seeded busybox', () => {
    const out = ok(d.docker(['images', '--format', '{{.Repository}}:{{.Tag}} {{.Size}}']));
    assert.match(out, /^busybox:latest \d/m);
    assert.equal(ok(d2.docker(['images', '-q'])).trim(), '', 'no seed with --no-seed-busybox');
  });

  test('tag, then rmi of the tag only untags', () => {
    ok(d.docker(['tag', 'busybox', 'mybox:1']));
    const ids = ok(d.docker(['images', '--format', '{{.Repository}}:{{.Tag}}={{.ID}}'])).trim().split('\n').sort();
    assert.equal(ids.length, 2);
    assert.equal(ids[0].split('=')[1], ids[1].split('=')[1]);
    assert.equal(ok(d.docker(['rmi', 'mybox:1'])).trim(), 'Untagged: mybox:1');
    assert.match(ok(d.docker(['image', 'inspect', 'busybox', '--format', '{{.Id}}'])).trim(), /^sha256:[a-f0-9]{64}$/);
  });

  test('save, then load into a second daemon, keeps the image ID', () => {
    const tarPath = join(work, 'busybox.tar');
    ok(d.docker(['save', 'busybox', '-o', tarPath]));
    const loaded = ok(d2.docker(['load', '-i', tarPath]));
    assert.match(loaded, /Loaded image: busybox:latest/);
    const id1 = ok(d.docker(['image', 'inspect', 'busybox', '--format', '{{.Id}}'])).trim();
    const id2 = ok(d2.docker(['image', 'inspect', 'busybox', '--format', '{{.Id}}'])).trim();
    assert.equal(id2, id1);
    const list = spawnSync('tar', ['tf', tarPath], { encoding: 'utf8' }).stdout;
    for (const member of ['manifest.json', 'index.json', 'oci-layout', 'repositories']) assert.match(list, new RegExp(`^${member}$`, 'm'));
  });

  test('import with --change sets the config', () => {
    const root = join(work, 'rootfs');
    mkdirSync(join(root, 'bin'), { recursive: true });
    copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
    symlinkSync('busybox', join(root, 'bin/sh'));
    writeFileSync(join(root, 'hello'), 'hi\n');
    const tgz = join(work, 'rootfs.tgz');
    assert.equal(spawnSync('tar', ['-C', root, '-czf', tgz, '.']).status, 0);
    const out = ok(d.docker(['import', '--change', 'CMD ["sh"]', '--change', 'ENV A=1', '-m', 'from test', tgz, 'imported:1']));
    assert.match(out, /^sha256:[a-f0-9]{64}$/m);
    const cfg = JSON.parse(ok(d.docker(['image', 'inspect', 'imported:1', '--format', '{{json .Config}}']))) as { Cmd: string[]; Env: string[] };
    assert.deepEqual(cfg.Cmd, ['sh']);
    assert.deepEqual(cfg.Env, ['A=1']);
    assert.match(ok(d.docker(['history', 'imported:1'])), /from test/);
    ok(d.docker(['rmi', 'imported:1']));
  });

  test('history and inspect', () => {
    const hist = ok(d.docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Size}}', 'busybox']));
    assert.match(hist, /CMD \["sh"\]\|0B/);
    const [img] = JSON.parse(ok(d.docker(['image', 'inspect', 'busybox']))) as Array<Record<string, unknown>>;
    assert.deepEqual(img.RepoTags, ['busybox:latest']);
    assert.equal((img.GraphDriver as { Name: string }).Name, 'overlay2');
    assert.equal(img.Os, 'linux');
    assert.equal((img.RootFS as { Layers: string[] }).Layers.length, 1);
  });

  test('unknown images: Docker wording', () => {
    const inspect = d.docker(['image', 'inspect', 'nosuch']);
    assert.notEqual(inspect.code, 0);
    assert.match(inspect.stderr, /No such image: nosuch:latest/);
    const rmi = d.docker(['rmi', 'nosuch']);
    assert.match(rmi.stderr, /Error response from daemon: No such image: nosuch:latest/);
    const pull = d.docker(['pull', 'nosuchimage:1']);
    assert.notEqual(pull.code, 0);
    // No internet here: Docker Hub cannot be reached, worded as Docker words it.
    assert.match(pull.stderr, /Error response from daemon: Get "https:\/\/registry-1\.docker\.io\/v2\/": dial tcp: lookup registry-1\.docker\.io/);
  });

  test('rmi of an image with two tags by ID needs force', () => {
    ok(d.docker(['tag', 'busybox', 'two:1']));
    const id = ok(d.docker(['image', 'inspect', 'busybox', '--format', '{{.Id}}'])).trim();
    const r = d.docker(['rmi', id.slice(7, 19)]);
    assert.match(r.stderr, new RegExp(`conflict: unable to delete ${id.slice(7, 19)} \\(must be forced\\) - image is referenced in multiple repositories`));
    ok(d.docker(['rmi', 'two:1']));
  });

  test('images and tags survive a berthd crash and restart', async () => {
    ok(d.docker(['tag', 'busybox', 'persist:1']));
    const before = ok(d.docker(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'])).trim().split('\n').sort();
    await d.kill9();
    await d.restart();
    const after = ok(d.docker(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'])).trim().split('\n').sort();
    assert.deepEqual(after, before);
    ok(d.docker(['rmi', 'persist:1']));
  });
});
