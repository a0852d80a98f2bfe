// Mount parsing and planning: Docker's rules and wording for -v, --mount, --tmpfs, --volumes-from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inheritMount, mountView, ociMounts, parseApiMount, parseBind, parseTmpfs, parseVolumesFrom, planMounts, tmpfsData, validMountMode } from '../../src/engine/containers/mounts.js';
import { BerthError } from '../../src/errors.js';

const never = () => false;
const always = () => true;

function throws400(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => err instanceof BerthError && err.kind === 'invalid-argument' && err.message === message);
}

test('-v host:ctr is a bind, name:ctr a named volume (mode z), /ctr an anonymous volume', () => {
  const b = parseBind('/host/dir/:/data:ro');
  assert.deepEqual([b.Type, b.Source, b.Destination, b.Mode, b.RW, b.Propagation], ['bind', '/host/dir', '/data', 'ro', false, 'rprivate']);
  assert.equal(b.CreateSource, true);
  const v = parseBind('vol:/data');
  assert.deepEqual([v.Type, v.Name, v.Named, v.Mode, v.RW, v.CopyData], ['volume', 'vol', true, 'z', true, true]);
  const a = parseBind('/anon');
  assert.deepEqual([a.Type, a.Name, a.Named, a.Mode], ['volume', '', false, '']);
  assert.equal(parseBind('vol:/data:nocopy').CopyData, false);
  assert.equal(parseBind('/h:/c:rshared').Propagation, 'rshared');
});

test('-v errors in Docker\'s words', () => {
  throws400(() => parseBind('/tmp:x'), `invalid volume specification: '/tmp:x': invalid mount config for type "bind": invalid mount path: 'x' mount path must be absolute`);
  throws400(() => parseBind('vol:x'), `invalid volume specification: 'vol:x': invalid mount config for type "volume": invalid mount path: 'x' mount path must be absolute`);
  throws400(() => parseBind('/tmp:/'), `invalid volume specification: '/tmp:/': invalid mount config for type "bind": invalid specification: destination can't be '/'`);
  throws400(() => parseBind('/a:/b:foo'), 'invalid mode: foo');
  throws400(() => parseBind('/a:/b:ro,rw'), 'invalid mode: ro,rw');
  throws400(() => parseBind('/data:rw'), `invalid volume specification: '/data:rw'`);
  throws400(() => parseBind('a:b:c:d'), `invalid volume specification: 'a:b:c:d'`);
  throws400(() => parseBind(':/x'), `invalid volume specification: ':/x'`);
});

test('mount modes: one of each kind', () => {
  assert.ok(validMountMode('ro,z,rshared,nocopy'));
  assert.ok(!validMountMode('ro,rw'));
  assert.ok(!validMountMode('bogus'));
});

test('--mount bind refuses a missing source; volume and tmpfs options', () => {
  throws400(() => parseApiMount({ Type: 'bind', Source: '/x', Target: '/y' }, never), 'invalid mount config for type "bind": bind source path does not exist: /x');
  assert.equal(parseApiMount({ Type: 'bind', Source: '/x', Target: '/y', BindOptions: { CreateMountpoint: true } }, never).CreateSource, true);
  throws400(() => parseApiMount({ Type: 'bind', Source: '/x', Target: 'y' }, always), `invalid mount config for type "bind": invalid mount path: 'y' mount path must be absolute`);
  throws400(() => parseApiMount({ Type: 'bind', Source: '/x', Target: '/y', BindOptions: { Propagation: 'weird' } }, always), 'invalid mount config for type "bind": invalid propagation mode: weird');
  throws400(() => parseApiMount({ Type: 'volume', Target: '/y', ReadOnly: true }, always), 'invalid mount config for type "volume": must not set ReadOnly mode when using anonymous volumes');
  throws400(() => parseApiMount({ Type: 'tmpfs', Source: 'x', Target: '/y' }, always), 'invalid mount config for type "tmpfs": field Source must not be specified');
  throws400(() => parseApiMount({ Type: 'nfs', Target: '/y' }, always), 'invalid mount config for type "nfs": mount type unknown');
  const v = parseApiMount({ Type: 'volume', Source: 'v', Target: '/d/', ReadOnly: true, VolumeOptions: { NoCopy: true, Labels: { a: 'b' } } }, never);
  assert.deepEqual([v.Name, v.Destination, v.RW, v.CopyData, v.Mode], ['v', '/d', false, false, 'z']);
  assert.deepEqual(v.VolumeCreate?.labels, { a: 'b' });
  const t = parseApiMount({ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 64 * 1024 * 1024, Mode: 0o1777 } }, never);
  assert.equal(t.Data, 'size=64m,mode=1777');
});

test('tmpfs data and HostConfig.Tmpfs', () => {
  assert.equal(tmpfsData({ SizeBytes: 1536 }, true), 'size=1536,ro');
  assert.equal(tmpfsData({ SizeBytes: 2048 }, false), 'size=2k');
  const t = parseTmpfs('/run', 'size=1m');
  assert.equal(t.Hidden, true);
  throws400(() => parseTmpfs('run', ''), `invalid mount config for type "tmpfs": invalid mount path: 'run' mount path must be absolute`);
});

test('--volumes-from specs', () => {
  assert.deepEqual(parseVolumesFrom('c1'), { container: 'c1', mode: 'rw' });
  assert.deepEqual(parseVolumesFrom('c1:ro'), { container: 'c1', mode: 'ro' });
  throws400(() => parseVolumesFrom('c1:bad'), 'invalid mode: bad');
  const m = inheritMount(parseBind('v:/d'), 'ro');
  assert.deepEqual([m.RW, m.Mode, m.Named, m.CopyData], [false, '', true, false]);
});

test('planning: binds override inherited mounts, duplicates refused, image volumes fill the gaps', () => {
  const inherited = [inheritMount(parseBind('shared:/data'), 'rw')];
  const planned = planMounts({ binds: ['/h:/data', 'n:/n'], volumes: { '/data': {}, '/n': {}, '/img': {} }, tmpfs: { '/t': '' }, inherited }, always);
  const byDest = Object.fromEntries(planned.map((m) => [m.Destination, m]));
  assert.equal(byDest['/data'].Type, 'bind');
  assert.equal(byDest['/n'].Name, 'n');
  assert.equal(byDest['/img'].Type, 'volume');
  assert.equal(byDest['/img'].Name, '');
  assert.equal(byDest['/t'].Type, 'tmpfs');
  throws400(() => planMounts({ binds: ['/a:/x', '/b:/x'] }, always), 'Duplicate mount point: /x');
  throws400(() => planMounts({ binds: ['/a:/x'], mounts: [{ Type: 'volume', Source: 'v', Target: '/x' }] }, always), 'Duplicate mount point: /x');
  // A tmpfs on an image volume's path: no anonymous volume there.
  assert.equal(planMounts({ tmpfs: { '/img': '' }, volumes: { '/img': {} } }, always).length, 1);
});

test('OCI mounts: parents first, binds rbind with propagation, tmpfs noexec', () => {
  const planned = planMounts({ binds: ['/h:/a/b/c:ro', '/h2:/a'], tmpfs: { '/t': 'size=1m' } }, always);
  const oci = ociMounts(planned);
  assert.deepEqual(oci.map((m) => m.destination), ['/a', '/t', '/a/b/c']);
  assert.deepEqual(oci[2].options, ['rbind', 'ro', 'rprivate']);
  assert.deepEqual(oci[1], { destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['noexec', 'nosuid', 'nodev', 'size=1m'] });
});

test('inspect view of a mount: Docker\'s MountPoint fields', () => {
  assert.deepEqual(mountView({ ...parseBind('v:/d'), Source: '/var/lib/berth/volumes/v/_data' }), {
    Type: 'volume', Name: 'v', Source: '/var/lib/berth/volumes/v/_data', Destination: '/d', Driver: 'local', Mode: 'z', RW: true, Propagation: '',
  });
  assert.deepEqual(mountView(parseBind('/h:/d')), { Type: 'bind', Source: '/h', Destination: '/d', Mode: '', RW: true, Propagation: 'rprivate' });
});

test('OCI spec: a volume on /etc is mounted before the generated /etc files; user mounts replace defaults', async () => {
  const { buildSpec } = await import('../../src/runtime/oci-spec.js');
  const spec = buildSpec({
    rootfs: '/r', args: ['sh'], env: [], cwd: '/', user: { uid: 0, gid: 0, additionalGids: [], home: '/root' },
    hostname: 'h', tty: false, capabilities: [], networkMode: 'none', rlimits: [], cgroupsPath: '/berth/x',
    etcFiles: { hosts: '/c/hosts', hostname: '/c/hostname', resolvConf: '/c/resolv.conf' },
    binds: ociMounts(planMounts({ binds: ['v:/etc', '/myhosts:/etc/hosts'], tmpfs: { '/dev/shm': 'size=1m' } }, always).map((m) => ({ ...m, Source: m.Source || '/vol' }))),
  });
  const dests = spec.mounts.map((m) => m.destination);
  assert.ok(dests.indexOf('/etc') < dests.indexOf('/etc/hostname'));
  assert.equal(spec.mounts.filter((m) => m.destination === '/etc/hosts').length, 1);
  assert.equal(spec.mounts.find((m) => m.destination === '/etc/hosts')!.source, '/myhosts');
  assert.equal(spec.mounts.filter((m) => m.destination === '/dev/shm').length, 1);
  assert.equal(spec.mounts.find((m) => m.destination === '/dev/shm')!.type, 'tmpfs');
});
