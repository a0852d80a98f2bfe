// The image service end to end on temp data roots: the busybox seed, resolve forms, save → load round trips
// (legacy manifest.json and OCI layout) keeping IDs, import with changes, and Docker's rmi rules.
import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { ImageService, type ImageServiceOptions } from '../../src/images/image-service.js';
import { EventBus, type EngineEvent } from '../../src/model/events.js';
import { canSeedBusybox } from '../../src/images/busybox-seed.js';
import type { ProgressMessage } from '../../src/images/progress.js';

const base = mkdtempSync(join(tmpdir(), 'berth-img-'));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;

async function service(extra: Partial<ImageServiceOptions> = {}): Promise<ImageService> {
  const svc = new ImageService({ dataRoot: join(base, `root${n++}`), events: new EventBus(), imagesInUse: () => new Set(), ...extra });
  await svc.init();
  return svc;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Rebuilds a tar keeping only the members `keep` accepts. */
async function filterTar(data: Buffer, keep: (name: string) => boolean): Promise<Buffer> {
  const extract = tar.extract();
  const pack = tar.pack();
  const out = collect(pack as unknown as Readable);
  Readable.from([data]).pipe(extract);
  for await (const entry of extract) {
    const body = await collect(entry as unknown as Readable);
    if (keep(entry.header.name)) pack.entry(entry.header, body);
  }
  pack.finalize();
  return await out;
}

async function load(svc: ImageService, data: Buffer, quiet = false): Promise<ProgressMessage[]> {
  const msgs: ProgressMessage[] = [];
  await svc.loadSpool(await svc.spoolArchive(Readable.from([data])), quiet, (m) => msgs.push(m));
  return msgs;
}

async function rootfsTar(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  const out = collect(pack as unknown as Readable);
  for (const [name, data] of Object.entries(files)) pack.entry({ name, mode: 0o644, mtime: new Date(0) }, data);
  pack.finalize();
  return await out;
}

describe('image service', { skip: !canSeedBusybox() && 'needs busybox-static' }, () => {
  let svc: ImageService;
  before(async () => { svc = await service(); });

  test('the seed is a real, deterministic busybox image', async () => {
    const img = await svc.resolve('busybox');
    assert.deepEqual(img.repoTags, ['busybox:latest']);
    assert.deepEqual(img.config.config?.Cmd, ['sh']);
    const other = await service();
    assert.equal((await other.resolve('busybox:latest')).id, img.id, 'same ID on a second data root');
    const [dir] = await svc.layerDirs(img);
    assert.ok(existsSync(join(dir, 'bin/busybox')) && existsSync(join(dir, 'bin/sh')) && existsSync(join(dir, 'etc/passwd')));
  });

  test('seeding respects seedBusybox: false', async () => {
    const none = await service({ seedBusybox: false });
    assert.equal(none.count(), 0);
  });

  test('resolve by name, name:tag, full ID, sha256: ID, short prefix; unknown is Docker wording', async () => {
    const { id } = await svc.resolve('busybox');
    for (const ref of ['busybox:latest', 'docker.io/library/busybox', id, id.slice(7), id.slice(0, 15), id.slice(7, 12)]) {
      assert.equal((await svc.resolve(ref)).id, id, ref);
    }
    await assert.rejects(svc.resolve('nosuch'), { message: 'No such image: nosuch:latest' });
    await assert.rejects(svc.resolve('busybox:nope'), { message: 'No such image: busybox:nope' });
  });

  test('save then load (legacy manifest.json, and OCI layout only) reproduces the ID', async () => {
    const { id } = await svc.resolve('busybox');
    await svc.tag('busybox', 'localhost:5000/bb', '1');
    const saved = await collect(await svc.save(['busybox', 'localhost:5000/bb:1']));

    const legacy = await service({ seedBusybox: false });
    const msgs = await load(legacy, saved);
    assert.equal((await legacy.resolve('busybox:latest')).id, id);
    assert.equal((await legacy.resolve('localhost:5000/bb:1')).id, id);
    assert.ok(msgs.some((m) => m.stream === 'Loaded image: busybox:latest\n'));
    assert.ok(msgs.some((m) => m.status === 'Loading layer' && m.progressDetail?.total), 'layer progress when not quiet');

    const oci = await service({ seedBusybox: false });
    await load(oci, await filterTar(saved, (name) => name !== 'manifest.json' && name !== 'repositories'), true);
    assert.equal((await oci.resolve('busybox:latest')).id, id);
    assert.equal((await oci.resolve('localhost:5000/bb:1')).id, id);
    await svc.remove('localhost:5000/bb:1', false, false);
  });

  test('loads the pre-25 docker save layout (<id>/layer.tar, symlinked duplicates, <config>.json)', async () => {
    const img = await svc.resolve('busybox');
    const diff = img.config.rootfs.diff_ids[0];
    const layerTar = await svc.content.read(diff);
    const config = await svc.configBytes(img.id);
    const v1 = 'a'.repeat(64);
    const v1b = 'b'.repeat(64);
    const pack = tar.pack();
    const out = collect(pack as unknown as Readable);
    pack.entry({ name: `${v1}/`, type: 'directory', mode: 0o755 });
    pack.entry({ name: `${v1}/VERSION`, mode: 0o644 }, '1.0');
    pack.entry({ name: `${v1}/json`, mode: 0o644 }, '{}');
    pack.entry({ name: `${v1}/layer.tar`, mode: 0o644 }, layerTar);
    pack.entry({ name: `${v1b}/`, type: 'directory', mode: 0o755 });
    pack.entry({ name: `${v1b}/layer.tar`, type: 'symlink', linkname: `../${v1}/layer.tar` });
    pack.entry({ name: `${img.id.slice(7)}.json`, mode: 0o644 }, config);
    pack.entry({ name: 'manifest.json', mode: 0o644 }, JSON.stringify([{ Config: `${img.id.slice(7)}.json`, RepoTags: ['old/style:1'], Layers: [`${v1b}/layer.tar`] }]));
    pack.entry({ name: 'repositories', mode: 0o644 }, JSON.stringify({ 'old/style': { 1: v1 } }));
    pack.finalize();
    const target = await service({ seedBusybox: false });
    await load(target, await out, true);
    assert.equal((await target.resolve('old/style:1')).id, img.id);
  });

  test('archive symlinks may not leave the archive', async () => {
    const pack = tar.pack();
    const out = collect(pack as unknown as Readable);
    pack.entry({ name: 'manifest.json', type: 'symlink', linkname: '../../../../etc/passwd' });
    pack.finalize();
    const target = await service({ seedBusybox: false });
    await assert.rejects(load(target, await out), /invalid symlink/);
  });

  test('garbage and broken gzip bodies are clean invalidArgument errors', async () => {
    const target = await service({ seedBusybox: false });
    for (const body of [Buffer.from('garbage'.repeat(200)), Buffer.from([0x1f, 0x8b, 1, 2, 3])]) {
      await assert.rejects(load(target, body), (e: unknown) => (e as { kind?: string }).kind === 'invalid-argument');
      await assert.rejects(target.importTar(Readable.from([body]), { changes: [] }, () => undefined), (e: unknown) => (e as { kind?: string }).kind === 'invalid-argument');
    }
    assert.equal(target.count(), 0);
  });

  test('a layer that does not match its diff_id is refused', async () => {
    const saved = await collect(await svc.save(['busybox']));
    const broken = await filterTar(saved, () => true);
    const tampered = await (async () => {
      const extract = tar.extract();
      const pack = tar.pack();
      const out = collect(pack as unknown as Readable);
      Readable.from([broken]).pipe(extract);
      for await (const entry of extract) {
        let body = await collect(entry as unknown as Readable);
        if (entry.header.size && entry.header.size > 100000) { body = Buffer.from(body); body[600] ^= 1; }
        pack.entry(entry.header, body);
      }
      pack.finalize();
      return await out;
    })();
    const target = await service({ seedBusybox: false });
    await assert.rejects(load(target, tampered), /digest mismatch/);
    assert.equal(target.count(), 0);
  });

  test('import applies --change and --message and tags', async () => {
    const msgs: ProgressMessage[] = [];
    const rec = await svc.importTar(Readable.from([await rootfsTar({ 'etc/hello': 'hi' })]), {
      repo: 'imported', tag: '1', changes: ['CMD ["sh"]', 'ENV A=1 B="two words"', 'EXPOSE 80', 'LABEL k=v', 'WORKDIR /srv', 'USER nobody'], message: 'hello', source: '-',
    }, (m) => msgs.push(m));
    const img = await svc.resolve('imported:1');
    assert.equal(img.id, rec.id);
    assert.deepEqual(img.config.config?.Cmd, ['sh']);
    assert.deepEqual(img.config.config?.Env, ['A=1', 'B=two words']);
    assert.deepEqual(img.config.config?.ExposedPorts, { '80/tcp': {} });
    assert.deepEqual(img.config.config?.Labels, { k: 'v' });
    assert.equal(img.config.config?.WorkingDir, '/srv');
    assert.equal(img.config.history?.[0].comment, 'hello');
    await assert.rejects(svc.importTar(Readable.from([Buffer.alloc(0)]), { changes: ['RUN true'] }, () => undefined), /run is not a valid change command/);
    await svc.remove('imported:1', false, false);
  });

  test('createImage stacks a layer on a base, records the parent, and layerDirs lists top first', async () => {
    const s = await service();
    const base = await s.resolve('busybox');
    const child = await s.createImage({
      base, layer: Readable.from([await rootfsTar({ 'etc/motd': 'hi' })]), config: { ...base.config.config, Cmd: ['cat', '/etc/motd'] },
      history: { created_by: 'commit test' }, tag: 'child:1',
    });
    assert.equal(child.parent, base.id);
    assert.equal(child.config.rootfs.diff_ids.length, 2);
    const dirs = await s.layerDirs(child);
    assert.equal(dirs.length, 2);
    assert.ok(existsSync(join(dirs[0], 'etc/motd')) && existsSync(join(dirs[1], 'bin/busybox')));
    assert.equal((await s.history('child:1'))[0].CreatedBy, 'commit test');
    const short = base.id.slice(7, 19);
    assert.deepEqual(await s.remove('busybox', false, false), [{ Untagged: 'busybox:latest' }], 'the parent stays for its child');
    await assert.rejects(s.remove(base.id, true, false), { message: `conflict: unable to delete ${short} (cannot be forced) - image has dependent child images` });
  });

  test('rmi: untag vs delete, conflicts in Docker wording, layers collected', async () => {
    const events: EngineEvent[] = [];
    let users: Array<{ id: string; running: boolean }> = [];
    const s = await service({ imageUsers: () => users, imagesInUse: () => new Set(users.length ? [id] : []) });
    s.opts.events.subscribe((e) => events.push(e));
    const { id } = await s.resolve('busybox');
    const short = id.slice(7, 19);
    await s.tag('busybox', 'mybox', '1');
    assert.deepEqual(await s.remove('mybox:1', false, false), [{ Untagged: 'mybox:1' }]);
    await s.tag('busybox', 'mybox', '1');
    await assert.rejects(s.remove(short, false, false), { message: `conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories` });

    users = [{ id: 'c'.repeat(64), running: true }];
    await s.remove('mybox:1', false, false);
    await assert.rejects(s.remove('busybox', false, false), { message: `conflict: unable to remove repository reference "busybox" (must force) - container cccccccccccc is using its referenced image ${short}` });
    await assert.rejects(s.remove(id, true, false), { message: `conflict: unable to delete ${short} (cannot be forced) - image is being used by running container cccccccccccc` });
    users = [{ id: 'd'.repeat(64), running: false }];
    await assert.rejects(s.remove(short, false, false), { message: `conflict: unable to delete ${short} (must be forced) - image is being used by stopped container dddddddddddd` });

    users = [];
    const [layerDir] = await s.layerDirs(await s.resolve(id));
    const out = await s.remove('busybox', false, false);
    assert.deepEqual(out.slice(0, 2), [{ Untagged: 'busybox:latest' }, { Deleted: id }]);
    assert.equal(out.length, 3, 'the layer is reported deleted');
    assert.ok(!existsSync(layerDir));
    assert.equal(s.count(), 0);
    assert.deepEqual(events.filter((e) => e.Type === 'image').map((e) => e.Action), ['tag', 'untag', 'tag', 'untag', 'untag', 'delete']);
  });

  test('list filters and prune', async () => {
    const s = await service();
    const rec = await s.importTar(Readable.from([await rootfsTar({ a: '1' })]), { changes: ['LABEL team=x'] }, () => undefined);
    assert.equal(s.list().length, 2);
    assert.deepEqual(s.list({ filters: { dangling: ['true'] } }).map((i) => i.Id), [rec.id]);
    assert.deepEqual(s.list({ filters: { label: ['team=x'] } }).map((i) => i.Id), [rec.id]);
    assert.deepEqual(s.list({ filters: { reference: ['busy*'] } }).map((i) => i.RepoTags), [['busybox:latest']]);
    assert.throws(() => s.list({ filters: { bogus: ['1'] } }), /invalid filter 'bogus'/);
    assert.deepEqual(s.list({ filters: { since: ['busybox'] } }).map((i) => i.Id), [rec.id]);
    assert.deepEqual(s.list({ filters: { before: [rec.id] } }).map((i) => i.RepoTags), [['busybox:latest']]);
    assert.throws(() => s.list({ filters: { before: ['nosuch'] } }), /No such image: nosuch:latest/);
    const pruned = await s.prune({});
    assert.deepEqual(pruned.ImagesDeleted?.[0], { Deleted: rec.id });
    assert.ok(pruned.SpaceReclaimed > 0);
    assert.equal(s.count(), 1);
    assert.deepEqual((await s.prune({ dangling: ['false'] })).ImagesDeleted?.map((d) => Object.keys(d)[0]), ['Untagged', 'Deleted', 'Deleted']);
    assert.equal(s.count(), 0);
  });
});
