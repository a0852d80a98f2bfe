// Files a container controls are never read on berthd's event loop or without bounds (src/fs/): an
// /etc/passwd replaced by a FIFO must not hang `docker exec -u`, an /etc/group pointing at /dev/zero must
// not be read to the end, and berthd keeps answering afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';

let d: TestDaemon;
before(async () => { d = await startDaemon(); });
after(async () => {
  d?.docker(['rm', '-f', 'fifo-passwd', 'zero-group', 'dev-group']);
  await d?.stop();
});

function ok(args: string[]): string {
  const r = d.docker(args, { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed (${r.code}): ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

test('exec -u with /etc/passwd replaced by a FIFO fails cleanly and berthd keeps answering', () => {
  ok(['run', '-d', '--network', 'none', '--name', 'fifo-passwd', 'busybox', 'sleep', '600']);
  ok(['exec', 'fifo-passwd', 'sh', '-c', 'rm /etc/passwd && mkfifo /etc/passwd']);
  const r = d.docker(['exec', '-u', 'nobody', 'fifo-passwd', 'id'], { timeoutMs: 60_000 });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /unable to find user nobody/);
  // Numeric users need no lookup; the daemon is still responsive.
  assert.equal(ok(['exec', '-u', '65534', 'fifo-passwd', 'id', '-u']), '65534\n');
  assert.match(ok(['ps', '--format', '{{.Names}}']), /fifo-passwd/);
  // Start reads the user from the layers (the FIFO is in the upper dir now): it must not hang either.
  ok(['restart', '-t', '0', 'fifo-passwd']);
  assert.equal(ok(['exec', 'fifo-passwd', 'echo', 'alive']), 'alive\n');
});

test('exec -u with /etc/group linked to /dev/zero does not read it', () => {
  ok(['run', '-d', '--network', 'none', '--name', 'zero-group', 'busybox', 'sleep', '600']);
  ok(['exec', 'zero-group', 'sh', '-c', 'rm /etc/group && ln -s /dev/zero /etc/group']);
  assert.equal(ok(['exec', '-u', 'nobody', 'zero-group', 'id', '-u']), '65534\n');
  assert.equal(ok(['exec', 'zero-group', 'echo', 'alive']), 'alive\n');
});

test('exec -u with /etc/group a character device does not read it', () => {
  ok(['run', '-d', '--network', 'none', '--name', 'dev-group', 'busybox', 'sleep', '600']);
  ok(['exec', 'dev-group', 'sh', '-c', 'rm /etc/group && mknod /etc/group c 1 5']);
  assert.equal(ok(['exec', '-u', 'nobody', 'dev-group', 'id', '-u']), '65534\n');
  ok(['restart', '-t', '0', 'dev-group']);
  assert.equal(ok(['exec', 'dev-group', 'echo', 'alive']), 'alive\n');
});
