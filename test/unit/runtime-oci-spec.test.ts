import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSpec, processEnv, serializeSpec, MASKED_PATHS, READONLY_PATHS, type SpecInput } from '../../src/runtime/oci-spec.js';
import { DEFAULT_CAPABILITIES, capabilitiesInMask, effectiveCapabilities } from '../../src/runtime/capabilities.js';
import { containerRlimits, parseProcLimits, UNLIMITED } from '../../src/runtime/rlimits.js';
import { resolveUserFrom } from '../../src/runtime/user.js';
import { parseSignal } from '../../src/runtime/signals.js';

const base: SpecInput = {
  rootfs: '/r', args: ['sh'], env: [], cwd: '/', user: { uid: 0, gid: 0, additionalGids: [], home: '/root' },
  hostname: 'abc', tty: false, capabilities: DEFAULT_CAPABILITIES, networkMode: 'bridge', rlimits: [],
  etcFiles: { hosts: '/c/hosts', hostname: '/c/hostname', resolvConf: '/c/resolv.conf' }, cgroupsPath: '/berth/x',
};

test('default capabilities are Docker\'s 14, in bounding/effective/permitted only', () => {
  assert.equal(DEFAULT_CAPABILITIES.length, 14);
  const caps = buildSpec(base).process.capabilities as Record<string, string[]>;
  assert.deepEqual(Object.keys(caps).sort(), ['bounding', 'effective', 'permitted']);
  for (const set of Object.values(caps)) assert.deepEqual(set, DEFAULT_CAPABILITIES);
});

test('cap-add / cap-drop, including ALL', () => {
  assert.deepEqual(effectiveCapabilities({ capDrop: ['ALL'], capAdd: ['net_admin'] }), ['CAP_NET_ADMIN']);
  assert.ok(!effectiveCapabilities({ capDrop: ['CHOWN'] }).includes('CAP_CHOWN'));
  assert.ok(effectiveCapabilities({ capAdd: ['ALL'] }).includes('CAP_SYS_ADMIN'));
  assert.throws(() => effectiveCapabilities({ capAdd: ['NOPE'] }), /unknown capability/);
});

test('never more capabilities than the daemon holds', () => {
  const available = capabilitiesInMask('a80425fb'); // Docker's defaults only
  assert.deepEqual(available.sort(), [...DEFAULT_CAPABILITIES].sort());
  assert.deepEqual(effectiveCapabilities({ privileged: true }, available).sort(), [...DEFAULT_CAPABILITIES].sort());
  assert.ok(!effectiveCapabilities({ capAdd: ['SYS_ADMIN'] }, available).includes('CAP_SYS_ADMIN'));
});

test('masked and read-only paths, dropped when privileged', () => {
  const linux = buildSpec(base).linux;
  assert.deepEqual(linux.maskedPaths, MASKED_PATHS);
  assert.ok(MASKED_PATHS.includes('/sys/devices/virtual/powercap'));
  assert.deepEqual(linux.readonlyPaths, READONLY_PATHS);
  const priv = buildSpec({ ...base, privileged: true }).linux;
  assert.equal(priv.maskedPaths, undefined);
});

test('namespaces: no network namespace in host mode; absolute cgroups path', () => {
  const ns = (s: ReturnType<typeof buildSpec>) => (s.linux.namespaces as Array<{ type: string }>).map((n) => n.type).sort();
  assert.deepEqual(ns(buildSpec(base)), ['ipc', 'mount', 'network', 'pid', 'uts']);
  assert.deepEqual(ns(buildSpec({ ...base, networkMode: 'host' })), ['ipc', 'mount', 'pid', 'uts']);
  assert.equal(buildSpec(base).linux.cgroupsPath, '/berth/x');
});

test('standard mounts, /dev/shm size, generated /etc files', () => {
  const mounts = buildSpec({ ...base, shmSize: 1024 }).mounts;
  const dest = mounts.map((m) => m.destination);
  for (const d of ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup', '/etc/hosts', '/etc/hostname', '/etc/resolv.conf']) assert.ok(dest.includes(d), d);
  assert.ok(mounts.find((m) => m.destination === '/dev/shm')!.options!.includes('size=1024'));
  assert.ok(mounts.find((m) => m.destination === '/sys')!.options!.includes('ro'));
  assert.equal(mounts.find((m) => m.destination === '/etc/hosts')!.source, '/c/hosts');
});

test('process env: PATH and HOSTNAME defaults, user values win, TERM with a tty', () => {
  assert.deepEqual(processEnv(['A=1', 'PATH=/x'], 'h', true), ['PATH=/x', 'HOSTNAME=h', 'TERM=xterm', 'A=1']);
  const p = buildSpec(base).process;
  assert.equal(p.noNewPrivileges, false);
  assert.equal((p as { oomScoreAdj?: number }).oomScoreAdj, undefined);
});

test('rlimits inherit the daemon and are clamped to its hard limit', () => {
  const daemon = parseProcLimits('Limit Soft Hard Units\nMax open files            20000                20000                files\nMax processes             96365                96365                processes\nMax stack size            8388608              unlimited            bytes\n');
  assert.deepEqual(daemon.find((r) => r.type === 'RLIMIT_NOFILE'), { type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 });
  assert.equal(daemon.find((r) => r.type === 'RLIMIT_STACK')!.hard, UNLIMITED);
  const inherited = containerRlimits([], daemon);
  assert.deepEqual(inherited.rlimits.find((r) => r.type === 'RLIMIT_NOFILE'), { type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 });
  const asked = containerRlimits([{ Name: 'nofile', Soft: 1048576, Hard: 1048576 }], daemon);
  assert.deepEqual(asked.rlimits.find((r) => r.type === 'RLIMIT_NOFILE'), { type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 });
  assert.equal(asked.warnings.length, 1);
  const lower = containerRlimits([{ Name: 'nofile', Soft: 1024, Hard: 2048 }], daemon);
  assert.deepEqual(lower.rlimits.find((r) => r.type === 'RLIMIT_NOFILE'), { type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 });
  assert.equal(lower.warnings.length, 0);
});

test('unlimited rlimits serialize as exact uint64', () => {
  const json = serializeSpec(buildSpec({ ...base, rlimits: [{ type: 'RLIMIT_CORE', soft: UNLIMITED, hard: UNLIMITED }] }));
  assert.match(json, /"soft":18446744073709551615,"hard":18446744073709551615/);
});

test('user resolution from passwd/group: names, numbers, groups', () => {
  const passwd = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\napp:x:1000:1000::/home/app:/bin/sh\n';
  const group = 'root:x:0:\nwheel:x:10:root\nnogroup:x:65534:\napp:x:1000:\nstaff:x:50:app\n';
  assert.deepEqual(resolveUserFrom('', passwd, group), { uid: 0, gid: 0, additionalGids: [10], home: '/root' });
  assert.deepEqual(resolveUserFrom('app', passwd, group), { uid: 1000, gid: 1000, additionalGids: [50], home: '/home/app' });
  assert.equal(resolveUserFrom('app:wheel', passwd, group).gid, 10);
  assert.deepEqual(resolveUserFrom('1234:5678', passwd, group), { uid: 1234, gid: 5678, additionalGids: [], home: '/' });
  assert.equal(resolveUserFrom('65534', passwd, group).gid, 65534);
  assert.throws(() => resolveUserFrom('ghost', passwd, group), /unable to find user ghost/);
  assert.throws(() => resolveUserFrom('app:nogrp', passwd, group), /unable to find group nogrp/);
});

test('signals by name, short name and number', () => {
  assert.equal(parseSignal('SIGTERM', 'SIGKILL'), 15);
  assert.equal(parseSignal('usr1', 'SIGKILL'), 10);
  assert.equal(parseSignal('9', 'SIGTERM'), 9);
  assert.equal(parseSignal(undefined, 'SIGKILL'), 9);
  assert.throws(() => parseSignal('NOPE', 'SIGKILL'), /Invalid signal/);
});

test('files are read through the layers: top-most wins, whiteouts hide, symlinks are not followed', async () => {
  const { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { readFileFromLayers } = await import('../../src/storage/rootfs.js');
  const root = mkdtempSync(join(tmpdir(), 'berth-layers-'));
  try {
    const [upper, mid, low, evil] = ['upper', 'mid', 'low', 'evil'].map((n) => join(root, n));
    for (const d of [upper, mid, low]) mkdirSync(join(d, 'etc'), { recursive: true });
    writeFileSync(join(low, 'etc/passwd'), 'low');
    writeFileSync(join(mid, 'etc/passwd'), 'mid');
    assert.equal(readFileFromLayers([upper, mid, low], '/etc/passwd'), 'mid');
    writeFileSync(join(upper, 'etc/.wh.passwd'), '');
    assert.equal(readFileFromLayers([upper, mid, low], '/etc/passwd'), undefined);
    mkdirSync(join(evil, 'x'), { recursive: true });
    writeFileSync(join(evil, 'x/passwd'), 'host secret');
    const linked = join(root, 'linked');
    mkdirSync(linked);
    symlinkSync(join(evil, 'x'), join(linked, 'etc'));
    assert.equal(readFileFromLayers([linked], '/etc/passwd'), undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
