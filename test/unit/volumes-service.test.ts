// The volume service on a temporary root: Docker's create/list/inspect/remove/prune behaviour and
// wording, crash-safe metadata, and the helpers behind copy-up and the CLI's --mount flag.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VolumeService } from '../../src/volumes/volume-service.js';
import { EventBus, type EngineEvent } from '../../src/model/events.js';
import { ANONYMOUS_LABEL } from '../../src/volumes/types.js';
import { scopedPathSync as resolveInRoot } from '../../src/fs/resolve-in-root.js';
import { validateLocalOptions } from '../../src/volumes/local-mount.js';
import { parseMountFlags, splitVolumeFlags } from '../../src/cli/verbs/volume-mount-flag.js';
import { BerthError } from '../../src/errors.js';

const base = mkdtempSync(join(tmpdir(), 'berth-volumes-unit-'));
after(() => rmSync(base, { recursive: true, force: true }));

function service(root: string, users: Record<string, string[]> = {}) {
  const events = new EventBus();
  const seen: EngineEvent[] = [];
  events.subscribe((e) => seen.push(e));
  return { svc: new VolumeService({ root, events, usersOf: (n) => users[n] ?? [] }), seen };
}

async function rejects(p: Promise<unknown>, kind: string, message: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof BerthError && err.kind === kind && err.message === message);
}

test('create, inspect, list with filters, events', async () => {
  const root = join(base, 'a');
  const { svc, seen } = service(root, { used: ['c1'] });
  await svc.init();
  const v = await svc.create({ Name: 'data', Labels: { team: 'x' } });
  assert.deepEqual({ ...v, CreatedAt: '' }, { CreatedAt: '', Driver: 'local', Labels: { team: 'x' }, Mountpoint: join(root, 'data', '_data'), Name: 'data', Options: null, Scope: 'local' });
  assert.match(v.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(existsSync(join(root, 'data', '_data')));
  assert.deepEqual(await svc.create({ Name: 'data' }), v, 'an existing volume is returned as it is');
  await svc.create({ Name: 'used', Labels: {} });
  const anon = await svc.create({ Labels: { [ANONYMOUS_LABEL]: '' } });
  assert.match(anon.Name, /^[0-9a-f]{64}$/);
  assert.equal(svc.inspect('used').Labels, null);
  assert.deepEqual(svc.list({ dangling: ['true'] }).map((x) => x.Name).sort(), [anon.Name, 'data'].sort());
  assert.deepEqual(svc.list({ dangling: ['false'] }).map((x) => x.Name), ['used']);
  assert.deepEqual(svc.list({ label: ['team=x'] }).map((x) => x.Name), ['data']);
  assert.deepEqual(svc.list({ name: ['^us'] }).map((x) => x.Name), ['used']);
  assert.deepEqual(svc.list({ driver: ['nope'] }), []);
  assert.throws(() => svc.list({ bogus: ['1'] }), /invalid filter 'bogus'/);
  assert.deepEqual(seen.filter((e) => e.Type === 'volume').map((e) => `${e.Action} ${e.Actor.ID}`), ['create data', 'create used', `create ${anon.Name}`]);
});

test('names and options are checked with Docker\'s words', async () => {
  const { svc } = service(join(base, 'b'));
  await svc.init();
  await rejects(svc.create({ Name: 'a' }), 'invalid-argument', 'create a: volume name is too short, names should be at least two alphanumeric characters');
  await rejects(svc.create({ Name: '../x' }), 'invalid-argument', 'create ../x: "../x" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path');
  await rejects(svc.create({ Name: 'vv', DriverOpts: { foo: 'bar' } }), 'invalid-argument', 'create vv: invalid option: "foo"');
  await rejects(svc.create({ Name: 'vv', DriverOpts: { type: 'none' } }), 'invalid-argument', 'create vv: missing required option: "device"');
  await rejects(svc.create({ Name: 'vv', Driver: 'flocker' }), 'not-found', 'error looking up volume plugin flocker: plugin "flocker" not found');
  assert.doesNotThrow(() => validateLocalOptions({ type: 'none', o: 'bind', device: '/x' }));
});

test('remove: 404 and 409 wording, force ignores a missing volume, prune keeps named volumes by default', async () => {
  const root = join(base, 'c');
  const { svc, seen } = service(root, { busy: ['abc', 'def'] });
  await svc.init();
  await svc.create({ Name: 'busy' });
  await svc.create({ Name: 'named' });
  const anon = await svc.create({ Labels: { [ANONYMOUS_LABEL]: '' } });
  writeFileSync(join(root, anon.Name, '_data', 'f'), '12345');
  await rejects(svc.remove('nosuch'), 'not-found', 'get nosuch: no such volume');
  await svc.remove('nosuch', { force: true });
  await rejects(svc.remove('busy'), 'conflict', 'remove busy: volume is in use - [abc, def]');
  const pruned = await svc.prune({});
  assert.deepEqual(pruned, { VolumesDeleted: [anon.Name], SpaceReclaimed: 5 });
  const all = await svc.prune({ all: ['true'] });
  assert.deepEqual(all.VolumesDeleted, ['named']);
  await svc.remove('busy').catch(() => undefined);
  assert.deepEqual(svc.list({}).map((v) => v.Name), ['busy']);
  assert.ok(seen.some((e) => e.Action === 'destroy' && e.Actor.ID === 'named'));
  assert.ok(seen.some((e) => e.Action === 'prune'));
  assert.deepEqual(readdirSync(root).sort(), ['busy'], 'no trash left behind');
});

test('volumes come back after a restart; leftovers of an interrupted removal are swept', async () => {
  const root = join(base, 'd');
  const first = service(root).svc;
  await first.init();
  await first.create({ Name: 'keep', Labels: { a: 'b' }, DriverOpts: { type: 'tmpfs', device: 'tmpfs' } });
  mkdirSync(join(root, 'bare', '_data'), { recursive: true }); // data dir without metadata (crash before it was written)
  mkdirSync(join(root, '.trash-old-1234'));
  const again = service(root).svc;
  await again.init();
  assert.deepEqual(again.inspect('keep').Labels, { a: 'b' });
  assert.deepEqual(again.inspect('keep').Options, { type: 'tmpfs', device: 'tmpfs' });
  assert.equal(again.inspect('bare').Driver, 'local');
  assert.ok(!existsSync(join(root, '.trash-old-1234')));
  const du = await again.diskUsage();
  assert.deepEqual(du.map((v) => v.UsageData), [{ Size: 0, RefCount: 0 }, { Size: 0, RefCount: 0 }]);
});

test('paths inside an image resolve symlinks without leaving the root', () => {
  const root = join(base, 'root');
  mkdirSync(join(root, 'real', 'etc'), { recursive: true });
  symlinkSync('/real/etc', join(root, 'abs'));
  symlinkSync('../../../../..', join(root, 'up'));
  assert.equal(resolveInRoot(root, '/abs'), join(root, 'real', 'etc'));
  assert.equal(resolveInRoot(root, '/up/etc'), join(root, 'etc'));
  assert.equal(resolveInRoot(root, '/missing/x'), join(root, 'missing', 'x'));
  symlinkSync('loop', join(root, 'loop'));
  assert.throws(() => resolveInRoot(root, '/loop'), /too many levels/);
});

test('CLI: --mount fields and -v splitting as docker does', () => {
  assert.deepEqual(parseMountFlags(['type=bind,src=/a,dst=/b,readonly,bind-propagation=rshared']), [
    { Type: 'bind', Source: '/a', Target: '/b', ReadOnly: true, BindOptions: { Propagation: 'rshared' } },
  ]);
  assert.deepEqual(parseMountFlags(['target=/d,volume-nocopy,volume-label=a=b,volume-opt=type=tmpfs']), [
    { Type: 'volume', Target: '/d', VolumeOptions: { NoCopy: true, Labels: { a: 'b' }, DriverConfig: { Options: { type: 'tmpfs' } } } },
  ]);
  assert.deepEqual(parseMountFlags(['type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1770']), [{ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1770 } }]);
  assert.throws(() => parseMountFlags(['type=bind,src=/a,dst=/b,foo=1']), { message: `invalid argument "type=bind,src=/a,dst=/b,foo=1" for "--mount" flag: unexpected key 'foo' in 'foo=1'` });
  assert.throws(() => parseMountFlags(['type=bind,src=/a']), /target is required/);
  assert.throws(() => parseMountFlags(['type=tmpfs,dst=/a,volume-nocopy']), /cannot mix 'volume-\*' options with mount type 'tmpfs'/);
  const split = splitVolumeFlags(['/anon', 'v:/d', '/h:/x:ro']);
  assert.deepEqual(split, { binds: ['v:/d', '/h:/x:ro'], volumes: { '/anon': {} } });
  assert.ok(splitVolumeFlags(['./rel:/x']).binds[0].startsWith('/'));
});
