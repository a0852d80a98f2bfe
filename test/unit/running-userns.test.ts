// userns-remap pieces without a host: subordinate ranges, the mapping laid out, the remap spec, the
// traversal check, the OCI spec of a remapped container, the daemon flag, and the shm of IPC sharing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkTraversable, freeRangeStart, fromHost, parseRemapSpec, subordinateRanges, toHost, toIdRanges,
} from '../../src/runtime/userns/remap.js';
import { buildSpec, type SpecInput } from '../../src/runtime/oci-spec.js';
import { applySandbox, type SandboxSpecInput } from '../../src/runtime/sandbox-spec.js';
import { parseDaemonArgs } from '../../src/daemon/config.js';

const SUBUID = 'alice:100000:65536\n# comment\nberth:165536:65536\n1000:300000:10\nberth:400000:100\n';

test('subordinate ranges by name or numeric id, laid end to end from container id 0', () => {
  assert.deepEqual(subordinateRanges(SUBUID, { name: 'berth' }), [{ start: 165536, count: 65536 }, { start: 400000, count: 100 }]);
  assert.deepEqual(subordinateRanges(SUBUID, { name: 'bob', id: 1000 }), [{ start: 300000, count: 10 }]);
  const m = toIdRanges(subordinateRanges(SUBUID, { name: 'berth' }));
  assert.deepEqual(m, [{ containerID: 0, hostID: 165536, size: 65536 }, { containerID: 65536, hostID: 400000, size: 100 }]);
  assert.equal(toHost(m, 0), 165536);
  assert.equal(toHost(m, 65537), 400001);
  assert.equal(toHost(m, 70000), undefined);
  assert.equal(fromHost(m, 165536 + 5), 5);
  assert.equal(fromHost(m, 0), 65534, 'an unmapped host id shows as the overflow id');
});

test('a free range for `default` skips every range of both files', () => {
  assert.equal(freeRangeStart(['', '']), 100000);
  assert.equal(freeRangeStart([SUBUID, 'x:231072:65536\n']), 300010);
  assert.equal(freeRangeStart(['a:100000:10\n', 'b:100010:65536\n']), 165546);
});

test('remap specs: default, user, user:group; bad ones refused', () => {
  assert.deepEqual(parseRemapSpec('default'), { user: 'berth', group: 'berth', isDefault: true });
  assert.deepEqual(parseRemapSpec('alice'), { user: 'alice', group: 'alice', isDefault: false });
  assert.deepEqual(parseRemapSpec('1000:1000'), { user: '1000', group: '1000', isDefault: false });
  assert.throws(() => parseRemapSpec('a:b:c'), /userns-remap: invalid value/);
  assert.throws(() => parseRemapSpec('a:'), /userns-remap: invalid value/);
});

test('an exec root closed to the remapped root is refused in dockerd\'s words', () => {
  const modes: Record<string, number> = { '/srv': 0o755, '/srv/closed': 0o700, '/srv/closed/exec': 0o711 };
  const stat = (p: string) => (p in modes ? { mode: modes[p], uid: 0, gid: 0 } : undefined);
  assert.throws(() => checkTraversable('/srv/closed/exec', stat, { uid: 100000, gid: 100000 }), /restricts access to the remapped root uid\/gid; please fix by allowing 'o\+x'/);
  modes['/srv/closed'] = 0o711;
  assert.doesNotThrow(() => checkTraversable('/srv/closed/exec', stat, { uid: 100000, gid: 100000 }));
});

const base: SpecInput = {
  rootfs: '/r', args: ['sh'], env: [], cwd: '/', user: { uid: 0, gid: 0, additionalGids: [], home: '/root' },
  hostname: 'abc', tty: false, capabilities: [], networkMode: 'bridge', rlimits: [], netnsPath: '/var/run/netns/x',
  etcFiles: { hosts: '/c/hosts', hostname: '/c/hostname', resolvConf: '/c/resolv.conf' }, cgroupsPath: '/berth/x',
};

test('a remapped container joins its pinned user namespace with the mappings; no ping range', () => {
  const uids = [{ containerID: 0, hostID: 100000, size: 65536 }];
  const spec = buildSpec({ ...base, userns: { uids, gids: uids, path: '/e/idmap/x/userns' } });
  const ns = spec.linux.namespaces as Array<{ type: string; path?: string }>;
  assert.deepEqual(ns.find((n) => n.type === 'user'), { type: 'user', path: '/e/idmap/x/userns' });
  assert.deepEqual(spec.linux.uidMappings, uids);
  assert.deepEqual(spec.linux.gidMappings, uids);
  assert.equal((spec.linux.sysctl as Record<string, string>)['net.ipv4.ping_group_range'], undefined);
  const plain = buildSpec(base);
  assert.ok(!(plain.linux.namespaces as Array<{ type: string }>).some((n) => n.type === 'user'));
  assert.equal(plain.linux.uidMappings, undefined);
});

test('a shareable or joined /dev/shm is a bind of the host-side tmpfs', () => {
  const sandbox: SandboxSpecInput = {
    noNewPrivileges: false, unmaskPaths: false, pid: 'private', ipc: { path: '/proc/9/ns/ipc' }, uts: 'private',
    devices: [], deviceRules: [], additionalGids: [], sysctls: {}, recursiveReadonly: false, shmSource: '/d/containers/donor/mounts/shm',
  };
  const out = applySandbox(buildSpec(base), sandbox);
  const shm = out.mounts.filter((m) => m.destination === '/dev/shm');
  assert.deepEqual(shm, [{ destination: '/dev/shm', type: 'bind', source: '/d/containers/donor/mounts/shm', options: ['rbind', 'nosuid', 'noexec', 'nodev'] }]);
});

test('berthd --userns-remap is read from the flag', () => {
  assert.equal(parseDaemonArgs(['--userns-remap', 'default']).usernsRemap, 'default');
  assert.equal(parseDaemonArgs(['--userns-remap=alice:staff']).usernsRemap, 'alice:staff');
  assert.equal(parseDaemonArgs([]).usernsRemap, undefined);
});
