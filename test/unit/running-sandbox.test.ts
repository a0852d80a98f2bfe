import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SECCOMP_PROFILE } from '../../src/runtime/seccomp/default-profile.js';
import { parseProfile, translateProfile } from '../../src/runtime/seccomp/translate.js';
import { DEFAULT_CAPABILITIES } from '../../src/runtime/capabilities.js';
import { applySandbox, kernelSupportsRecursiveReadonly, splitDev, type SandboxSpecInput } from '../../src/runtime/sandbox-spec.js';
import { buildSpec, type SpecInput } from '../../src/runtime/oci-spec.js';
import { parseDeviceRule, sandboxOptions } from '../../src/engine/sandbox/sandbox-config.js';

const host = { arch: 'x64', kernel: '6.1.0' };
const allowed = (s: ReturnType<typeof translateProfile>, name: string) => s.syscalls.some((r) => r.action === 'SCMP_ACT_ALLOW' && r.names.includes(name) && !r.args);

test('default seccomp: unshare, mount, keyctl blocked without CAP_SYS_ADMIN; EPERM by default', () => {
  const s = translateProfile(DEFAULT_SECCOMP_PROFILE, DEFAULT_CAPABILITIES, host);
  assert.equal(s.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(s.defaultErrnoRet, 1);
  assert.deepEqual(s.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  for (const name of ['unshare', 'mount', 'keyctl', 'setns', 'reboot', 'ptrace_not_a_call']) assert.ok(!allowed(s, name), name);
  for (const name of ['read', 'execve', 'arch_prctl', 'chroot', 'ptrace']) assert.ok(allowed(s, name), name);
  // clone only without namespace flags; clone3 answers ENOSYS so libc falls back to clone.
  assert.ok(s.syscalls.some((r) => r.names[0] === 'clone' && r.args?.[0].op === 'SCMP_CMP_MASKED_EQ' && r.args[0].index === 0));
  assert.equal(s.syscalls.find((r) => r.names.includes('clone3'))?.errnoRet, 38);
});

test('default seccomp follows capabilities and kernel version', () => {
  const admin = translateProfile(DEFAULT_SECCOMP_PROFILE, [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'], host);
  assert.ok(allowed(admin, 'unshare') && allowed(admin, 'mount'));
  assert.ok(!admin.syscalls.some((r) => r.names.includes('clone3') && r.action === 'SCMP_ACT_ERRNO'));
  const noChroot = translateProfile(DEFAULT_SECCOMP_PROFILE, DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_SYS_CHROOT'), host);
  assert.ok(!allowed(noChroot, 'chroot'));
  const old = translateProfile(DEFAULT_SECCOMP_PROFILE, DEFAULT_CAPABILITIES, { arch: 'x64', kernel: '4.4.0' });
  assert.ok(!allowed(old, 'ptrace'));
  const arm = translateProfile(DEFAULT_SECCOMP_PROFILE, DEFAULT_CAPABILITIES, { arch: 'arm64', kernel: '6.1' });
  assert.deepEqual(arm.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  assert.ok(!allowed(arm, 'arch_prctl'));
});

test('user seccomp profiles: parsed, checked, old `name` form', () => {
  const p = parseProfile(JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ name: 'mkdir', action: 'SCMP_ACT_ERRNO' }] }));
  assert.deepEqual(translateProfile(p, [], host).syscalls, [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }]);
  assert.throws(() => parseProfile('{'), /Decoding seccomp profile failed/);
  assert.throws(() => parseProfile('{"syscalls":[]}'), /defaultAction/);
});

test('security options: Docker wording for bad ones, unconfined, no-new-privileges forms', () => {
  assert.throws(() => sandboxOptions({ SecurityOpt: ['foo=bar'] }), /invalid --security-opt 2: "foo=bar"/);
  assert.throws(() => sandboxOptions({ SecurityOpt: ['foo'] }), /invalid --security-opt 1: "foo"/);
  assert.equal(sandboxOptions({ SecurityOpt: ['seccomp=unconfined'] }).seccomp, 'unconfined');
  assert.equal(sandboxOptions({ Privileged: true }).seccomp, 'unconfined');
  for (const o of ['no-new-privileges', 'no-new-privileges=true', 'no-new-privileges:true']) assert.equal(sandboxOptions({ SecurityOpt: [o] }).noNewPrivileges, true);
  assert.equal(sandboxOptions({ SecurityOpt: ['apparmor=unconfined'] }).noNewPrivileges, false);
  assert.throws(() => sandboxOptions({ IpcMode: 'bogus' }), /Invalid IPC mode: bogus/);
  assert.throws(() => sandboxOptions({ Sysctls: { 'vm.swappiness': '1' } }), /not allowed/);
  assert.throws(() => sandboxOptions({ Sysctls: { 'net.ipv4.ip_forward': '1' }, NetworkMode: 'host' }), /host network namespace/);
  assert.deepEqual(sandboxOptions({ Sysctls: { 'kernel.shmmax': '1', 'net.core.somaxconn': '5' } }).sysctls, { 'kernel.shmmax': '1', 'net.core.somaxconn': '5' });
  assert.throws(() => sandboxOptions({ OomScoreAdj: 2000 }), /range for oom score adj/);
});

test('device cgroup rules and dev_t split', () => {
  assert.deepEqual(parseDeviceRule('c 1:3 rwm'), { type: 'c', major: 1, minor: 3, access: 'rwm' });
  assert.deepEqual(parseDeviceRule('a *:* r'), { type: 'a', major: -1, minor: -1, access: 'r' });
  assert.throws(() => parseDeviceRule('x'), /invalid device cgroup format 'x'/);
  assert.deepEqual(splitDev(10 * 256 + 229), { major: 10, minor: 229 });
  assert.ok(kernelSupportsRecursiveReadonly('6.1.0') && !kernelSupportsRecursiveReadonly('5.10.0'));
});

const base: SpecInput = {
  rootfs: '/r', args: ['sh'], env: [], cwd: '/', user: { uid: 0, gid: 0, additionalGids: [], home: '/root' },
  hostname: 'abc', tty: false, capabilities: DEFAULT_CAPABILITIES, networkMode: 'bridge', rlimits: [],
  etcFiles: { hosts: '/c/hosts', hostname: '/c/hostname', resolvConf: '/c/resolv.conf' }, cgroupsPath: '/berth/x',
  binds: [{ destination: '/data', type: 'bind', source: '/src', options: ['rbind', 'ro', 'rprivate'] }],
};
const sandbox: SandboxSpecInput = {
  noNewPrivileges: false, unmaskPaths: false, pid: 'private', ipc: 'private', uts: 'private', devices: [], deviceRules: [],
  additionalGids: [], sysctls: {}, recursiveReadonly: false,
};

test('applySandbox: namespaces shared with the host or a peer, init, groups, nnp, rro', () => {
  const s = applySandbox(buildSpec(base), {
    ...sandbox, pid: 'host', ipc: { path: '/proc/42/ns/ipc' }, uts: 'host', noNewPrivileges: true, initPath: '/usr/bin/tini-static',
    additionalGids: [10, 20], recursiveReadonly: true, sysctls: { 'net.core.somaxconn': '5' },
  });
  const ns = s.linux.namespaces as Array<{ type: string; path?: string }>;
  assert.ok(!ns.some((n) => n.type === 'pid' || n.type === 'uts'));
  assert.deepEqual(ns.find((n) => n.type === 'ipc'), { type: 'ipc', path: '/proc/42/ns/ipc' });
  assert.equal(s.hostname, undefined);
  assert.equal(s.process.noNewPrivileges, true);
  assert.deepEqual(s.process.args, ['/sbin/docker-init', '--', 'sh']);
  assert.ok(s.mounts.some((m) => m.destination === '/sbin/docker-init' && m.source === '/usr/bin/tini-static'));
  assert.deepEqual((s.process.user as { additionalGids: number[] }).additionalGids, [10, 20]);
  assert.ok(s.mounts.find((m) => m.destination === '/data')!.options!.includes('rro'));
  assert.equal((s.linux.sysctl as Record<string, string>)['net.core.somaxconn'], '5'); // beside Docker's default namespaced sysctls
  assert.equal(s.linux.seccomp, undefined);
});

test('applySandbox: ipc host binds the host /dev/shm; none drops it; unmask drops masked paths', () => {
  const h = applySandbox(buildSpec(base), { ...sandbox, ipc: 'host' });
  assert.equal(h.mounts.find((m) => m.destination === '/dev/shm')!.source, '/dev/shm');
  const n = applySandbox(buildSpec(base), { ...sandbox, noShm: true });
  assert.ok(!n.mounts.some((m) => m.destination === '/dev/shm'));
  const u = applySandbox(buildSpec(base), { ...sandbox, unmaskPaths: true });
  assert.equal(u.linux.maskedPaths, undefined);
});
