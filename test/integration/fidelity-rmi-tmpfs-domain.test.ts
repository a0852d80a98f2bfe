// Two behaviours checked against a reference dockerd 20.10 and pinned here with the docker CLI: `rmi` of a
// parent image while a child image exists only untags it (the child keeps its layers and still runs, the
// untagged parent cannot be removed, not even with -f), and HostConfig.Tmpfs/Mounts in inspect as dockerd
// shows them, with the tmpfs mounts applied; `--domainname` shown in inspect and set as the container's NIS
// domain name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerOk, startDaemon, type TestDaemon } from '../helpers/daemon.js';

let d: TestDaemon;
let work: string;
before(async () => {
  d = await startDaemon();
  work = mkdtempSync(join(tmpdir(), 'berth-rmi-'));
});
after(async () => {
  await d?.stop();
  rmSync(work, { recursive: true, force: true });
});

const ok = (args: string[]): string => dockerOk(d, args, { timeoutMs: 120_000 });

function context(name: string, dockerfile: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  return dir;
}

test('rmi of a parent image with a child: untagged only, the child still runs, the parent cannot be forced out', () => {
  const parent = ok(['build', '-q', '-t', 'rmi-parent', context('p', 'FROM busybox\nRUN echo p > /p\n')]).trim();
  ok(['build', '-q', '-t', 'rmi-child', context('c', 'FROM rmi-parent\nRUN echo c > /c\n')]);
  assert.equal(ok(['rmi', 'rmi-parent']).trim(), 'Untagged: rmi-parent:latest');
  assert.equal(ok(['run', '--rm', 'rmi-child', 'cat', '/p', '/c']), 'p\nc\n');
  const forced = d.docker(['rmi', '-f', parent.slice(7, 19)]);
  assert.notEqual(forced.code, 0);
  assert.match(forced.stderr, new RegExp(`conflict: unable to delete ${parent.slice(7, 19)} \\(cannot be forced\\) - image has dependent child images`));
  assert.equal(ok(['run', '--rm', 'rmi-child', 'cat', '/p', '/c']), 'p\nc\n');
  ok(['rmi', 'rmi-child']);
});

test('Tmpfs and tmpfs mounts: inspect as dockerd, mounted with their options', () => {
  ok(['run', '-d', '--name', 'tmpc', '--tmpfs', '/a', '--tmpfs', '/b:size=1m,mode=1777', '--mount', 'type=tmpfs,dst=/m,tmpfs-size=1000000', 'busybox', 'sleep', '300']);
  assert.equal(ok(['inspect', 'tmpc', '--format', '{{json .HostConfig.Tmpfs}} {{json .HostConfig.Mounts}} {{json .Mounts}}']).trim(),
    '{"/a":"","/b":"size=1m,mode=1777"} [{"Type":"tmpfs","Target":"/m","TmpfsOptions":{"SizeBytes":1000000}}] [{"Type":"tmpfs","Source":"","Destination":"/m","Mode":"","RW":true,"Propagation":""}]');
  const mounts = ok(['exec', 'tmpc', 'cat', '/proc/mounts']).split('\n');
  assert.ok(mounts.includes('tmpfs /a tmpfs rw,nosuid,nodev,noexec,relatime 0 0'), mounts.join('\n'));
  assert.ok(mounts.includes('tmpfs /b tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k 0 0'));
  assert.ok(mounts.includes('tmpfs /m tmpfs rw,nosuid,nodev,noexec,relatime,size=980k 0 0'));
  assert.equal(ok(['exec', 'tmpc', 'stat', '-c', '%a', '/b']).trim(), '1777');
  ok(['rm', '-f', 'tmpc']);
});

test('--domainname: Config.Domainname in inspect, and the NIS domain name inside the container', () => {
  const out = ok(['run', '--name', 'dom', '--domainname', 'example.com', '-h', 'hh', 'busybox', 'sh', '-c', 'hostname; cat /proc/sys/kernel/domainname']);
  assert.equal(out, 'hh\nexample.com\n');
  assert.equal(ok(['inspect', '-f', '{{.Config.Hostname}} {{.Config.Domainname}}', 'dom']).trim(), 'hh example.com');
  assert.equal(ok(['run', '--rm', 'busybox', 'cat', '/proc/sys/kernel/domainname']).trim(), '(none)');
  ok(['rm', 'dom']);
});
