// Volumes and mounts through the real docker CLI against a real berthd: data outlives containers and
// berthd restarts, binds and :ro, copy-up from the image, tmpfs, anonymous volumes and rm -v, errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';

let d: TestDaemon;
let scratch: string;
before(async () => {
  d = await startDaemon();
  scratch = mkdtempSync(join(tmpdir(), 'berth-volumes-it-'));
});
after(async () => {
  await d?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Containers here need no network: `--network none` keeps these tests independent of the host's firewall. */
function offline(args: string[]): string[] {
  return args[0] === 'run' || args[0] === 'create' ? [args[0], '--network', 'none', ...args.slice(1)] : args;
}

function ok(args: string[], opts?: { input?: string }): string {
  const r = d.docker(offline(args), { timeoutMs: 60_000, ...opts });
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed (${r.code}): ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

function fails(args: string[], message: string): void {
  const r = d.docker(offline(args), { timeoutMs: 60_000 });
  assert.notEqual(r.code, 0, `docker ${args.join(' ')} should fail`);
  assert.ok(r.stderr.includes(message), `docker ${args.join(' ')}: expected ${JSON.stringify(message)} in:\n${r.stderr}`);
}

const volumeNames = () => ok(['volume', 'ls', '-q']).split('\n').filter(Boolean).sort();

test('data in a named volume is read by a second container after the first is removed', () => {
  ok(['run', '--name', 'writer', '-v', 'data:/data', 'busybox', 'sh', '-c', 'echo persisted > /data/f']);
  const mounts = JSON.parse(ok(['inspect', '-f', '{{json .Mounts}}', 'writer'])) as Array<Record<string, unknown>>;
  assert.deepEqual(mounts, [{ Type: 'volume', Name: 'data', Source: join(d.dataRoot, 'volumes/data/_data'), Destination: '/data', Driver: 'local', Mode: 'z', RW: true, Propagation: '' }]);
  assert.equal(ok(['inspect', '-f', '{{json .HostConfig.Binds}}', 'writer']), '["data:/data"]\n');
  ok(['rm', '-v', 'writer']);
  assert.ok(volumeNames().includes('data'), 'rm -v keeps named volumes');
  assert.equal(ok(['run', '--rm', '-v', 'data:/data', 'busybox', 'cat', '/data/f']), 'persisted\n');
  const v = JSON.parse(ok(['volume', 'inspect', 'data'])) as Array<Record<string, unknown>>;
  assert.equal(v[0].Name, 'data');
  assert.equal(v[0].Driver, 'local');
  assert.equal(v[0].Scope, 'local');
  assert.equal(v[0].Mountpoint, join(d.dataRoot, 'volumes/data/_data'));
  assert.match(String(v[0].CreatedAt), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  ok(['volume', 'rm', 'data']);
});

test('a bind mount shows host files; :ro refuses writes; -v creates a missing host dir', () => {
  const host = join(scratch, 'host');
  mkdirSync(host, { recursive: true });
  writeFileSync(join(host, 'hello.txt'), 'from the host\n');
  assert.equal(ok(['run', '--rm', '-v', `${host}:/h`, 'busybox', 'sh', '-c', 'cat /h/hello.txt; echo back > /h/back.txt']), 'from the host\n');
  assert.equal(readFileSync(join(host, 'back.txt'), 'utf8'), 'back\n');
  const r = d.docker(['run', '--network', 'none', '--rm', '-v', `${host}:/h:ro`, 'busybox', 'sh', '-c', 'cat /h/hello.txt; touch /h/nope']);
  assert.notEqual(r.code, 0);
  assert.equal(r.stdout, 'from the host\n');
  assert.match(r.stderr, /Read-only file system/);
  assert.ok(!existsSync(join(host, 'nope')));
  const mounts = JSON.parse(ok(['create', '-v', `${host}:/h:ro`, '--name', 'bindro', 'busybox']).trim() ? ok(['inspect', '-f', '{{json .Mounts}}', 'bindro']) : '[]');
  assert.deepEqual(mounts, [{ Type: 'bind', Source: host, Destination: '/h', Mode: 'ro', RW: false, Propagation: 'rprivate' }]);
  ok(['rm', 'bindro']);
  const created = join(scratch, 'made', 'by', 'docker');
  ok(['run', '--rm', '-v', `${created}:/x`, 'busybox', 'true']);
  assert.ok(existsSync(created));
  assert.equal(ok(['run', '--rm', '--mount', `type=bind,src=${host},dst=/m,readonly`, 'busybox', 'cat', '/m/hello.txt']), 'from the host\n');
});

test('copy-up fills a fresh volume from the image, unless nocopy', () => {
  assert.match(ok(['run', '--rm', '-v', 'etcvol:/etc', 'busybox', 'sh', '-c', 'grep ^root: /etc/passwd; cat /etc/hostname >/dev/null && echo hosts-ok']), /^root:x:0:0:.*\nhosts-ok\n$/);
  assert.ok(existsSync(join(d.dataRoot, 'volumes/etcvol/_data/passwd')));
  // Not empty any more: a second mount leaves it alone.
  ok(['run', '--rm', '-v', 'etcvol:/etc', 'busybox', 'rm', '/etc/group']);
  ok(['run', '--rm', '-v', 'etcvol:/etc', 'busybox', 'true']);
  assert.ok(!existsSync(join(d.dataRoot, 'volumes/etcvol/_data/group')));
  assert.equal(d.docker(['run', '--network', 'none', '--rm', '-v', 'emptyetc:/etc:nocopy', 'busybox', 'test', '-e', '/etc/passwd']).code, 1);
  assert.equal(d.docker(['run', '--network', 'none', '--rm', '--mount', 'type=volume,src=emptyetc2,dst=/etc,volume-nocopy', 'busybox', 'test', '-e', '/etc/passwd']).code, 1);
  ok(['volume', 'rm', 'etcvol', 'emptyetc', 'emptyetc2']);
});

test('tmpfs is empty at each start', () => {
  ok(['create', '--name', 'tmpfsc', '--tmpfs', '/t:size=1m', '--mount', 'type=tmpfs,dst=/u,tmpfs-size=2m', 'busybox', 'sh', '-c', 'ls -A /t /u; touch /t/x /u/y; grep -E " /(t|u) " /proc/mounts | cut -d" " -f2,3']);
  const sorted = (out: string) => out.split('\n').filter(Boolean).sort().join(',');
  for (let i = 0; i < 2; i++) {
    ok(['start', 'tmpfsc']);
    assert.equal(ok(['wait', 'tmpfsc']), '0\n');
  }
  // Both runs saw empty tmpfs mounts (logs hold both runs' output).
  const lines = ok(['logs', 'tmpfsc']).split('\n').filter(Boolean);
  assert.equal(lines.length, 8);
  assert.equal(sorted(lines.slice(0, 4).join('\n')), '/t tmpfs,/t:,/u tmpfs,/u:');
  assert.equal(sorted(lines.slice(4).join('\n')), '/t tmpfs,/t:,/u tmpfs,/u:');
  // --tmpfs is not listed in Mounts (as in Docker); --mount type=tmpfs is.
  assert.equal(ok(['inspect', '-f', '{{range .Mounts}}{{.Type}} {{.Destination}};{{end}}', 'tmpfsc']), 'tmpfs /u;\n');
  ok(['rm', 'tmpfsc']);
});

test('anonymous volumes go with rm -v and with --rm; named ones stay', async () => {
  const before = volumeNames();
  ok(['create', '--name', 'anonc', '-v', '/anon', '-v', 'keepme:/keep', 'busybox', 'true']);
  const during = volumeNames().filter((n) => !before.includes(n));
  assert.equal(during.length, 2);
  const anon = during.find((n) => n !== 'keepme')!;
  assert.match(anon, /^[0-9a-f]{64}$/);
  assert.equal(ok(['volume', 'inspect', '-f', '{{json .Labels}}', anon]), '{"com.docker.volume.anonymous":""}\n');
  fails(['volume', 'rm', 'keepme'], `remove keepme: volume is in use - [`);
  ok(['rm', '-v', 'anonc']);
  assert.deepEqual(volumeNames().filter((n) => !before.includes(n)), ['keepme']);
  ok(['run', '--rm', '-v', '/scratch', 'busybox', 'true']);
  let left: string[] = [];
  for (let i = 0; i < 50; i++) { // removal follows the container's, asynchronously
    left = volumeNames().filter((n) => !before.includes(n) && n !== 'keepme');
    if (left.length === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(left, []);
  ok(['volume', 'rm', 'keepme']);
});

test('anonymous volumes from the image\'s VOLUME get the image\'s content', () => {
  const root = join(scratch, 'rootfs');
  mkdirSync(join(root, 'bin'), { recursive: true });
  mkdirSync(join(root, 'srv', 'data'), { recursive: true });
  copyFileSync('/bin/busybox', join(root, 'bin', 'busybox'));
  for (const c of ['sh', 'cat', 'ls']) symlinkSync('busybox', join(root, 'bin', c));
  writeFileSync(join(root, 'srv', 'data', 'seed.txt'), 'seeded\n');
  const tar = join(scratch, 'rootfs.tar');
  assert.equal(spawnSync('tar', ['-cf', tar, '-C', root, '.']).status, 0);
  ok(['import', '-c', 'VOLUME /srv/data', '-c', 'CMD ["sh"]', tar, 'volimage:1']);
  ok(['run', '--name', 'imgvol', 'volimage:1', 'cat', '/srv/data/seed.txt']);
  assert.equal(ok(['logs', 'imgvol']), 'seeded\n');
  const m = JSON.parse(ok(['inspect', '-f', '{{json .Mounts}}', 'imgvol'])) as Array<Record<string, unknown>>;
  assert.equal(m.length, 1);
  assert.equal(m[0].Type, 'volume');
  assert.equal(m[0].Destination, '/srv/data');
  assert.equal(m[0].Mode, '');
  const name = String(m[0].Name);
  ok(['rm', '-v', 'imgvol']);
  assert.ok(!volumeNames().includes(name));
  ok(['rmi', 'volimage:1']);
});

test('--volumes-from shares mounts (ro when asked); --read-only keeps volumes writable', () => {
  ok(['create', '--name', 'datasrc', '-v', 'shared:/shared', '-v', '/anonshared', 'busybox', 'true']);
  assert.equal(ok(['run', '--rm', '--volumes-from', 'datasrc', 'busybox', 'sh', '-c', 'echo x > /shared/f && echo y > /anonshared/g && echo written']), 'written\n');
  const r = d.docker(['run', '--network', 'none', '--rm', '--volumes-from', 'datasrc:ro', 'busybox', 'sh', '-c', 'cat /shared/f; touch /shared/h']);
  assert.equal(r.stdout, 'x\n');
  assert.match(r.stderr, /Read-only file system/);
  const ro = d.docker(['run', '--network', 'none', '--rm', '--read-only', '-v', 'shared:/shared', 'busybox', 'sh', '-c', 'echo ok > /shared/rw && echo vol-writable; touch /rootfs-file']);
  assert.equal(ro.stdout, 'vol-writable\n');
  assert.match(ro.stderr, /Read-only file system/);
  fails(['run', '--rm', '--volumes-from', 'nosuchcontainer', 'busybox', 'true'], 'No such container: nosuchcontainer');
  ok(['rm', '-v', 'datasrc']);
  ok(['volume', 'rm', 'shared']);
});

test('bind-style local volumes (--opt type=none,o=bind,device) are mounted while used', () => {
  const dev = join(scratch, 'device');
  mkdirSync(dev, { recursive: true });
  writeFileSync(join(dev, 'on-device'), 'dev\n');
  ok(['volume', 'create', '--opt', 'type=none', '--opt', 'o=bind', '--opt', `device=${dev}`, 'optvol']);
  assert.equal(ok(['volume', 'inspect', '-f', '{{json .Options}}', 'optvol']), `{"device":"${dev}","o":"bind","type":"none"}\n`);
  assert.equal(ok(['run', '--rm', '-v', 'optvol:/o', 'busybox', 'sh', '-c', 'cat /o/on-device; echo from-container > /o/new']), 'dev\n');
  assert.equal(readFileSync(join(dev, 'new'), 'utf8'), 'from-container\n');
  const mounted = readFileSync('/proc/self/mountinfo', 'utf8').includes(join(d.dataRoot, 'volumes/optvol/_data'));
  assert.equal(mounted, false, 'unmounted after the last user stopped');
  ok(['volume', 'rm', 'optvol']);
  assert.deepEqual(readdirSync(dev).sort(), ['new', 'on-device'], 'removing the volume leaves the device alone');
});

test('volume ls filters, rm -f, prune (anonymous only unless --all), system df, events', () => {
  ok(['volume', 'create', '--label', 'tier=db', 'labelled']);
  ok(['volume', 'create', 'plain']);
  ok(['create', '--name', 'holder', '-v', 'plain:/p', '-v', '/anonheld', 'busybox', 'true']);
  ok(['volume', 'create', '--label', 'com.docker.volume.anonymous=', 'looseanon']);
  assert.equal(ok(['volume', 'ls', '-q', '-f', 'label=tier=db']), 'labelled\n');
  assert.equal(ok(['volume', 'ls', '-q', '-f', 'name=plai']), 'plain\n');
  const dangling = ok(['volume', 'ls', '-q', '-f', 'dangling=true']).split('\n').filter((n) => ['labelled', 'looseanon', 'plain'].includes(n)).sort();
  assert.deepEqual(dangling, ['labelled', 'looseanon']);
  const total = volumeNames().length;
  const active = total - ok(['volume', 'ls', '-q', '-f', 'dangling=true']).split('\n').filter(Boolean).length;
  assert.match(ok(['system', 'df']), new RegExp(`Local Volumes\\s+${total}\\s+${active}\\s`));
  assert.equal(ok(['volume', 'prune', '-f']), 'Deleted Volumes:\nlooseanon\n\nTotal reclaimed space: 0B\n');
  assert.equal(ok(['volume', 'prune', '-af']), 'Deleted Volumes:\nlabelled\n\nTotal reclaimed space: 0B\n');
  ok(['volume', 'rm', '-f', 'nosuchvolume']);
  fails(['volume', 'rm', 'nosuchvolume'], 'get nosuchvolume: no such volume');
  fails(['volume', 'inspect', 'nosuchvolume'], 'get nosuchvolume: no such volume');
  ok(['rm', '-v', 'holder']);
  ok(['volume', 'rm', 'plain']);
});

test('volume events: create, mount, unmount, destroy', async () => {
  ok(['volume', 'create', 'evvol']);
  ok(['run', '--rm', '-v', 'evvol:/e', 'busybox', 'true']);
  ok(['volume', 'rm', 'evvol']);
  const until = (Date.now() / 1000 + 1).toFixed(3);
  const r = await d.api('GET', `/events?since=0&until=${until}&filters=${encodeURIComponent('{"type":{"volume":true}}')}`);
  const evs = r.body.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { Action: string; Actor: { ID: string; Attributes: Record<string, string> } });
  const mine = evs.filter((e) => e.Actor.ID === 'evvol');
  assert.deepEqual(mine.map((e) => e.Action), ['create', 'mount', 'unmount', 'destroy']);
  assert.equal(mine[1].Actor.Attributes.destination, '/e');
  assert.equal(mine[1].Actor.Attributes['read/write'], 'true');
  assert.equal(mine[0].Actor.Attributes.driver, 'local');
});

test('bad mounts get Docker\'s errors', () => {
  fails(['run', '--rm', '-v', '/tmp:x', 'busybox', 'true'], `invalid volume specification: '/tmp:x': invalid mount config for type "bind": invalid mount path: 'x' mount path must be absolute`);
  fails(['run', '--rm', '-v', '/tmp:/', 'busybox', 'true'], `invalid mount config for type "bind": invalid specification: destination can't be '/'`);
  fails(['run', '--rm', '--mount', 'type=bind,src=/no/such/dir,dst=/x', 'busybox', 'true'], 'invalid mount config for type "bind": bind source path does not exist: /no/such/dir');
  fails(['run', '--rm', '-v', '/tmp:/x:bogus', 'busybox', 'true'], 'invalid mode: bogus');
  fails(['run', '--rm', '-v', '/a:/x', '-v', '/b:/x', 'busybox', 'true'], 'Duplicate mount point: /x');
  fails(['volume', 'create', '--opt', 'foo=bar', 'badopt'], 'create badopt: invalid option: "foo"');
  fails(['volume', 'create', 'x'], 'create x: volume name is too short');
  fails(['run', '--rm', '--volume-driver', 'nosuchdriver', '-v', 'vd:/x', 'busybox', 'true'], 'error looking up volume plugin nosuchdriver: plugin "nosuchdriver" not found');
  assert.ok(!volumeNames().includes('vd'));
  assert.equal(ok(['ps', '-aq']), '');
});

test('berth CLI: volume create/ls/inspect/rm', () => {
  const run = (args: string[]) => { const r = d.berth(offline(args)); assert.equal(r.code, 0, `berth ${args.join(' ')}: ${r.stderr}`); return r.stdout; };
  assert.equal(run(['volume', 'create', '--label', 'k=v', 'berthvol']), 'berthvol\n');
  assert.match(run(['volume', 'ls']), /^DRIVER\s+VOLUME NAME\n(.*\n)*local\s+berthvol\n/);
  assert.equal(run(['volume', 'inspect', '-f', '{{.Labels.k}} {{.Scope}}', 'berthvol']), 'v local\n');
  assert.equal(run(['run', '--rm', '-v', 'berthvol:/b', '--mount', 'type=tmpfs,dst=/t', 'busybox', 'sh', '-c', 'echo hi > /b/x; cat /b/x']), 'hi\n');
  assert.equal(run(['volume', 'rm', 'berthvol']), 'berthvol\n');
});

test('volumes survive a berthd restart', async () => {
  ok(['volume', 'create', '--label', 'keep=yes', 'survivor']);
  ok(['run', '--rm', '-v', 'survivor:/s', 'busybox', 'sh', '-c', 'echo still here > /s/f']);
  ok(['run', '-d', '--name', 'user', '-v', 'survivor:/s', 'busybox', 'sleep', '300']);
  await d.kill9();
  await d.restart();
  assert.equal(ok(['volume', 'inspect', '-f', '{{json .Labels}}', 'survivor']), '{"keep":"yes"}\n');
  assert.equal(ok(['run', '--rm', '-v', 'survivor:/s', 'busybox', 'cat', '/s/f']), 'still here\n');
  fails(['volume', 'rm', 'survivor'], 'remove survivor: volume is in use');
  ok(['rm', '-f', 'user']);
  ok(['volume', 'rm', 'survivor']);
});
