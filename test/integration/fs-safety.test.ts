// Files a container controls are never read on berthd's event loop or without bounds (src/fs/): an
// /etc/passwd replaced by a FIFO must not hang `docker exec -u`, an /etc/group pointing at /dev/zero must
// not be read to the end, and berthd keeps answering afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';

let d: TestDaemon;
before(async () => { d = await startDaemon(); });
after(async () => {
  d?.docker(['rm', '-f', 'fifo-passwd', 'zero-group', 'dev-group', 'fifo-runc', 'zero-runc']);
  await d?.stop();
});

function ok(args: string[]): string {
  const r = d.docker(args, { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed (${r.code}): ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

// berthd resolves user and group names itself (runc wants numbers): those reads are the ones that must
// stay safe. (runc, like under Docker, opens the files again inside the container for numeric users;
// that is the runtime's business and out of berthd's event loop.)
test('exec -u with /etc/passwd replaced by a FIFO fails cleanly and berthd keeps answering', () => {
  ok(['run', '-d', '--network', 'none', '--name', 'fifo-passwd', 'busybox', 'sleep', '600']);
  ok(['exec', 'fifo-passwd', 'sh', '-c', 'rm /etc/passwd && mkfifo /etc/passwd']);
  const r = d.docker(['exec', '-u', 'nobody', 'fifo-passwd', 'id'], { timeoutMs: 60_000 });
  assert.notEqual(r.code, 0);
  assert.match(r.stdout + r.stderr, /unable to find user nobody/);
  assert.match(ok(['ps', '--format', '{{.Names}}']), /fifo-passwd/);
  assert.match(ok(['inspect', '--format', '{{.State.Status}}', 'fifo-passwd']), /running/);
});

for (const [name, how] of [['zero-group', 'ln -s /dev/zero /etc/group'], ['dev-group', 'mknod /etc/group c 1 5']]) {
  test(`exec -u with /etc/group made a device (${how}) is refused, not read`, () => {
    ok(['run', '-d', '--network', 'none', '--name', name, 'busybox', 'sleep', '600']);
    ok(['exec', name, 'sh', '-c', `rm /etc/group && ${how}`]);
    const r = d.docker(['exec', '-u', 'nobody:nogroup', name, 'id'], { timeoutMs: 60_000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /unable to find group nogroup/);
    assert.match(ok(['ps', '--format', '{{.Names}}']), new RegExp(name));
  });
}

// runc itself opens /etc/passwd and /etc/group inside the container, even for uid 0: a FIFO there blocks
// it forever and a link to /dev/zero makes it spin (under Docker too: the exec or start never returns and
// the container cannot be removed). berthd refuses those before runc runs.
for (const [name, how, file] of [['fifo-runc', 'rm /etc/passwd && mkfifo /etc/passwd', 'passwd'], ['zero-runc', 'rm /etc/group && ln -s /dev/zero /etc/group', 'group']]) {
  test(`plain exec and start with ${how} are refused, not left hanging in runc`, () => {
    ok(['run', '-d', '--network', 'none', '--name', name, 'busybox', 'sleep', '600']);
    ok(['exec', name, 'sh', '-c', how]);
    const ex = d.docker(['exec', name, 'id'], { timeoutMs: 60_000 });
    assert.equal(ex.code, 126, ex.stderr);
    assert.match(ex.stdout + ex.stderr, new RegExp(`/etc/${file} is not a`));
    ok(['stop', '-t', '0', name]);
    const st = d.docker(['start', name], { timeoutMs: 60_000 });
    assert.equal(st.code, 1, st.stderr);
    assert.match(st.stdout + st.stderr, new RegExp(`/etc/${file} is not a regular file`));
    ok(['rm', '-f', name]);
  });
}
