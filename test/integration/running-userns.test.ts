// User namespaces (berthd --userns-remap default) and IPC sharing, with real containers through the
// docker CLI: root in the container is an unprivileged uid on the host, the rootfs, /etc files and
// volumes show the container's own ids (idmapped mounts) while the files on disk keep their real ids;
// `--userns=host` opts out; `--ipc shareable` + `--ipc container:X` share /dev/shm.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { startRefDockerd, type RefDockerd } from '../helpers/ref-dockerd.js';

function okOn(d: TestDaemon, args: string[]): string {
  const r = d.docker(args, { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

describe('--ipc shareable / container:X / host / none (no remap)', () => {
  let d: TestDaemon;
  before(async () => { d = await startDaemon(); });
  after(async () => { await d?.stop(); });

  test('a joiner shares the donor\'s /dev/shm both ways; inspect shows container:<id>', () => {
    const id = okOn(d, ['run', '-d', '--name', 'shmdonor', '--ipc', 'shareable', 'busybox', 'sleep', '300']).trim();
    okOn(d, ['exec', 'shmdonor', 'sh', '-c', 'echo from-donor > /dev/shm/a']);
    assert.equal(okOn(d, ['run', '--rm', '--ipc', 'container:shmdonor', 'busybox', 'sh', '-c', 'cat /dev/shm/a; echo from-joiner > /dev/shm/b']).trim(), 'from-donor');
    assert.equal(okOn(d, ['exec', 'shmdonor', 'cat', '/dev/shm/b']).trim(), 'from-joiner');
    okOn(d, ['create', '--name', 'shmjoiner', '--ipc', 'container:shmdonor', 'busybox', 'true']);
    assert.equal(okOn(d, ['inspect', '-f', '{{.HostConfig.IpcMode}}', 'shmjoiner']).trim(), `container:${id}`);
    assert.equal(okOn(d, ['inspect', '-f', '{{.HostConfig.IpcMode}}', 'shmdonor']).trim(), 'shareable');
    // The donor's shm is a host-side tmpfs of its ShmSize, gone when it stops.
    assert.match(okOn(d, ['exec', 'shmdonor', 'df', '-k', '/dev/shm']), /65536/);
    okOn(d, ['rm', '-f', 'shmjoiner', 'shmdonor']);
    const left = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(id) && l.includes('/mounts/shm'));
    assert.deepEqual(left, []);
  });

  test('private donors and stopped donors are refused in dockerd\'s words; none has no /dev/shm; host shares the host\'s', () => {
    const id = okOn(d, ['run', '-d', '--name', 'privdonor', 'busybox', 'sleep', '300']).trim();
    assert.equal(okOn(d, ['inspect', '-f', '{{.HostConfig.IpcMode}}', 'privdonor']).trim(), 'private');
    const r = d.docker(['run', '--rm', '--ipc', 'container:privdonor', 'busybox', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`can't join IPC of container ${id}: non-shareable IPC`));
    okOn(d, ['create', '--name', 'stoppeddonor', '--ipc', 'shareable', 'busybox', 'sleep', '300']);
    assert.match(d.docker(['run', '--rm', '--ipc', 'container:stoppeddonor', 'busybox', 'true']).stderr, /can't join IPC of container [0-9a-f]{64}: container [0-9a-f]{64} is not running/);
    assert.match(d.docker(['create', '--ipc', 'container:nosuchdonor', 'busybox', 'true']).stderr, /No such container: nosuchdonor/);
    assert.match(okOn(d, ['run', '--rm', '--ipc', 'none', 'busybox', 'sh', '-c', 'ls /dev/shm 2>&1; true']), /No such file or directory/);
    const name = `berth-ipc-test-${process.pid}`;
    writeFileSync(join('/dev/shm', name), 'host-shm');
    try {
      assert.equal(okOn(d, ['run', '--rm', '--ipc', 'host', 'busybox', 'cat', `/dev/shm/${name}`]).trim(), 'host-shm');
    } finally { rmSync(join('/dev/shm', name), { force: true }); }
    okOn(d, ['rm', '-f', 'privdonor', 'stoppeddonor']);
  });
});

describe('IpcMode values and refusals match a reference dockerd', () => {
  let d: TestDaemon;
  let ref: RefDockerd | string;
  before(async () => { [d, ref] = await Promise.all([startDaemon(), startRefDockerd()]); });
  after(async () => { await d?.stop(); if (typeof ref !== 'string') await ref.stop(); });

  // What each engine shows: ids replaced by <id>, so the two can be compared.
  function scenario(run: (args: string[]) => { stdout: string; stderr: string }): string[] {
    const out = (args: string[]) => { const r = run(args); return (r.stdout + r.stderr).trim().replace(/[0-9a-f]{64}/g, '<id>'); };
    const lines = [
      out(['run', '-d', '--name', 'refdonor', '--ipc', 'shareable', 'busybox', 'sleep', '300']),
      out(['run', '-d', '--name', 'refpriv', 'busybox', 'sleep', '300']),
      out(['create', '--name', 'refjoin', '--ipc', 'container:refdonor', 'busybox', 'true']),
      out(['inspect', '-f', '{{.HostConfig.IpcMode}} {{.HostConfig.ShmSize}}', 'refdonor', 'refpriv', 'refjoin']),
      out(['run', '--rm', '--ipc', 'container:refdonor', 'busybox', 'sh', '-c', 'grep -c " /dev/shm " /proc/self/mountinfo']),
      out(['run', '--rm', '--ipc', 'container:refpriv', 'busybox', 'true']).split('\n')[0],
    ];
    run(['rm', '-f', 'refdonor', 'refpriv', 'refjoin']);
    return lines;
  }

  test('shareable, private, container:<id>, and the non-shareable refusal', (t) => {
    if (typeof ref === 'string') { t.skip(ref); console.log(`# skipped: ${ref}`); return; }
    const theirs = scenario((a) => (ref as RefDockerd).docker(a));
    const ours = scenario((a) => d.docker(a));
    assert.deepEqual(ours, theirs);
  });
});

describe('userns-remap default', () => {
  let d: TestDaemon | undefined;
  let skip: string | undefined;
  let execRoot = '';
  const userExisted = spawnSync('id', ['berth']).status === 0;
  let hostRoot = 0;

  before(async () => {
    if (!existsSync('/usr/bin/python3')) { skip = 'no /usr/bin/python3 (idmapped mounts are made by a python3 helper)'; return; }
    if (spawnSync('which', ['useradd', 'usermod']).status !== 0) { skip = 'no useradd/usermod (passwd package) to create the berth remap user'; return; }
    // The remapped root must reach the container roots: an exec root whose parents others may traverse.
    execRoot = mkdtempSync(join(tmpdir(), 'berth-userns-'));
    chmodSync(execRoot, 0o711);
    try {
      d = await startDaemon(['--userns-remap', 'default', '--exec-root', join(execRoot, 'exec')]);
    } catch (err) {
      skip = `berthd refused --userns-remap on this host: ${String(err).split('\n').slice(0, 3).join(' ')}`;
      return;
    }
    const sub = readFileSync('/etc/subuid', 'utf8').split('\n').find((l) => l.startsWith('berth:'));
    hostRoot = Number(sub?.split(':')[1]);
    // A probe: a kernel without idmapped mounts (or overlay on them) fails the first start, with its error.
    const probe = d.docker(['run', '--rm', 'busybox', 'true']);
    if (probe.code !== 0) skip = `this host cannot run a remapped container: ${probe.stderr.trim()}`;
  });
  after(async () => {
    await d?.stop();
    if (execRoot) {
      const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1]).filter((m) => m && m.startsWith(execRoot));
      for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
      rmSync(execRoot, { recursive: true, force: true });
    }
    // Leave the host as it was: the remap user (and its subordinate ranges) go if this test made them.
    if (!userExisted && spawnSync('id', ['berth']).status === 0) spawnSync('userdel', ['berth']);
  });

  test('root in the container is an unprivileged uid on the host', (t) => {
    if (skip || !d) { t.skip(skip); console.log(`# skipped: ${skip}`); return; }
    assert.ok(hostRoot > 0, 'berth has a subordinate range in /etc/subuid');
    assert.match(okOn(d, ['info', '--format', '{{json .SecurityOptions}}']), /"name=userns"/);
    const map = okOn(d, ['run', '--rm', 'busybox', 'cat', '/proc/self/uid_map']).trim().split(/\s+/).map(Number);
    assert.deepEqual(map.slice(0, 2), [0, hostRoot]);
    assert.equal(okOn(d, ['run', '--rm', 'busybox', 'id', '-u']).trim(), '0');
    const id = okOn(d, ['run', '-d', '--name', 'remapped', 'busybox', 'sleep', '300']).trim();
    const pid = okOn(d, ['inspect', '-f', '{{.State.Pid}}', 'remapped']).trim();
    const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1];
    assert.equal(Number(uid), hostRoot);
    // exec joins the same user namespace (and the network namespace it owns).
    assert.match(okOn(d, ['exec', 'remapped', 'sh', '-c', 'id -u; cat /proc/self/uid_map']), new RegExp(`^0\\n\\s*0\\s+${hostRoot}\\s`));
    // A host directory only host root may write: container root cannot.
    const dir = mkdtempSync(join(tmpdir(), 'berth-userns-bind-'));
    try {
      chmodSync(dir, 0o755);
      const r = d.docker(['run', '--rm', '-v', `${dir}:/hostdir`, 'busybox', 'touch', '/hostdir/f']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr + r.stdout, /Permission denied/);
      chmodSync(dir, 0o777);
      okOn(d, ['run', '--rm', '-v', `${dir}:/hostdir`, 'busybox', 'touch', '/hostdir/g']);
      assert.equal(statSync(join(dir, 'g')).uid, hostRoot, 'what container root writes in a bind mount belongs to the remapped uid');
    } finally { rmSync(dir, { recursive: true, force: true }); }
    okOn(d, ['rm', '-f', id]);
  });

  test('rootfs, /etc files and volumes show the container\'s ids; the disk keeps real ids', (t) => {
    if (skip || !d) { t.skip(skip); return; }
    const out = okOn(d, ['run', '--name', 'files', '-v', 'uvol:/data', 'busybox', 'sh', '-c',
      'stat -c "%u %n" / /bin/sh /etc/hosts /data; touch /newfile /data/f && echo wrote; echo x >> /etc/hosts && echo hosts-ok']);
    assert.match(out, /^0 \/\n0 \/bin\/sh\n0 \/etc\/hosts\n0 \/data\nwrote\nhosts-ok/);
    const id = okOn(d, ['inspect', '-f', '{{.Id}}', 'files']).trim();
    assert.equal(statSync(join(d.dataRoot, 'containers', id, 'diff', 'newfile')).uid, 0, 'the upper dir holds real ids');
    assert.equal(statSync(join(d.dataRoot, 'volumes', 'uvol', '_data', 'f')).uid, 0, 'the volume holds real ids');
    // The same volume in a container outside the user namespace: same owners.
    assert.equal(okOn(d, ['run', '--rm', '--userns', 'host', '-v', 'uvol:/data', 'busybox', 'stat', '-c', '%u', '/data/f']).trim(), '0');
    // docker cp and diff read real ids.
    assert.match(okOn(d, ['diff', 'files']), /A \/newfile/);
    okOn(d, ['rm', '-f', 'files']);
    const left = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(join(execRoot, 'exec', 'idmap', id)));
    assert.deepEqual(left, [], 'nothing stays mounted after rm');
  });

  test('--userns=host opts out; privileged and --pid host need it, in dockerd\'s words', (t) => {
    if (skip || !d) { t.skip(skip); return; }
    assert.match(okOn(d, ['run', '--rm', '--userns', 'host', 'busybox', 'cat', '/proc/self/uid_map']), /^\s*0\s+0\s+4294967295/);
    assert.match(d.docker(['run', '--rm', '--privileged', 'busybox', 'true']).stderr, /privileged mode is incompatible with user namespaces/);
    assert.match(d.docker(['run', '--rm', '--pid', 'host', 'busybox', 'true']).stderr, /cannot share the host PID namespace when user namespaces are enabled/);
    assert.match(okOn(d, ['run', '--rm', '--userns', 'host', '--privileged', 'busybox', 'cat', '/proc/self/uid_map']), /^\s*0\s+0\s+4294967295/);
  });

  test('--ipc and --pid container:X join the donor\'s user namespace and /dev/shm', (t) => {
    if (skip || !d) { t.skip(skip); return; }
    okOn(d, ['run', '-d', '--name', 'udonor', '--ipc', 'shareable', 'busybox', 'sleep', '300']);
    okOn(d, ['exec', 'udonor', 'sh', '-c', 'echo shared > /dev/shm/s']);
    const out = okOn(d, ['run', '--rm', '--ipc', 'container:udonor', '--pid', 'container:udonor', 'busybox', 'sh', '-c', 'cat /dev/shm/s; ps -o comm | grep -c sleep']);
    assert.deepEqual(out.trim().split('\n'), ['shared', '1']);
    okOn(d, ['rm', '-f', 'udonor']);
  });
});

