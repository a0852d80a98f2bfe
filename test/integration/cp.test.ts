// docker cp (both ways, files and directories, running and stopped containers), the refusal of paths
// that would leave the container (symlinks, `..`, hostile tars), docker diff and docker export, through
// the real docker CLI against a real berthd. (Containers run with --network none: not a network test.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import tar from 'tar-stream';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';

let d: TestDaemon;
let work: string;
before(async () => {
  d = await startDaemon();
  work = mkdtempSync(join(tmpdir(), 'berth-cp-'));
  ok(['run', '-d', '--network', 'none', '--name', 'cpc', 'busybox', 'sleep', '600']);
});
after(async () => {
  await d?.stop();
  rmSync(work, { recursive: true, force: true });
});

function ok(args: string[], opts?: { input?: string }): string {
  const r = d.docker(args, { timeoutMs: 60_000, ...opts });
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed (${r.code}): ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

function putTar(container: string, path: string, entries: Array<{ name: string; type?: 'file' | 'symlink' | 'link'; body?: string; linkname?: string }>): Promise<{ status: number; body: string }> {
  const pack = tar.pack();
  for (const e of entries) {
    if ((e.type ?? 'file') === 'file') pack.entry({ name: e.name, mode: 0o644 }, e.body ?? '');
    else pack.entry({ name: e.name, type: e.type, linkname: e.linkname });
  }
  pack.finalize();
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: d.socket, method: 'PUT', path: `/v1.50/containers/${container}/archive?path=${encodeURIComponent(path)}` }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    (pack as unknown as NodeJS.ReadableStream).pipe(req);
  });
}

test('cp a file into a running container and back out', () => {
  const src = join(work, 'hello.txt');
  writeFileSync(src, 'hello from the host\n');
  ok(['cp', src, 'cpc:/tmp/h']);
  assert.equal(ok(['exec', 'cpc', 'cat', '/tmp/h']), 'hello from the host\n');
  const out = join(work, 'back.txt');
  ok(['cp', 'cpc:/tmp/h', out]);
  assert.equal(readFileSync(out, 'utf8'), 'hello from the host\n');
  ok(['cp', 'cpc:/etc/passwd', join(work, 'pw')]);
  assert.match(readFileSync(join(work, 'pw'), 'utf8'), /^root:x:0:0:/);
});

test('cp directories both ways, with /. for the contents', () => {
  const dir = join(work, 'tree');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'a'), 'A');
  writeFileSync(join(dir, 'sub', 'b'), 'B');
  ok(['cp', dir, 'cpc:/tmp/']);
  assert.equal(ok(['exec', 'cpc', 'find', '/tmp/tree', '-type', 'f']).split('\n').sort().join(' ').trim(), '/tmp/tree/a /tmp/tree/sub/b');
  const out = join(work, 'out');
  mkdirSync(out);
  ok(['cp', 'cpc:/tmp/tree', out]);
  assert.equal(readFileSync(join(out, 'tree', 'sub', 'b'), 'utf8'), 'B');
  ok(['cp', 'cpc:/tmp/tree/.', join(out, 'flat')]);
  assert.equal(readFileSync(join(out, 'flat', 'a'), 'utf8'), 'A');
  const r = d.docker(['cp', 'cpc:/nonexistent', join(out, 'x')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Could not find the file \/nonexistent in container cpc/);
});

test('the path stat header describes the path', async () => {
  const r = await d.api('HEAD', '/containers/cpc/archive?path=/etc');
  assert.equal(r.status, 200);
  const stat = JSON.parse(Buffer.from(String(r.headers['x-docker-container-path-stat']), 'base64').toString()) as { name: string; mode: number };
  assert.equal(stat.name, 'etc');
  assert.ok(stat.mode >= 2 ** 31, 'a directory carries Go\'s ModeDir bit');
  assert.equal((await d.api('HEAD', '/containers/cpc/archive?path=/nonexistent')).status, 404);
});

test('symlinks inside the container never lead to the host', () => {
  const marker = `/tmp/berth-cp-escape-${process.pid}`;
  ok(['exec', 'cpc', 'sh', '-c', 'ln -s / /tmp/root-link; ln -s ../../../../../../.. /tmp/up-link; ln -s /etc/hostname /tmp/abs-link']);
  const src = join(work, 'payload');
  writeFileSync(src, 'payload\n');
  ok(['cp', src, `cpc:/tmp/root-link${marker}`]);
  ok(['cp', src, `cpc:/tmp/up-link${marker}-2`]);
  assert.equal(existsSync(marker), false, 'written on the host through a container symlink');
  assert.equal(existsSync(`${marker}-2`), false, 'written on the host through a container ../ symlink');
  assert.equal(ok(['exec', 'cpc', 'cat', marker]), 'payload\n', 'the file lands inside the container');
  // Reading through a symlink gives the container's file, not the host's.
  const id = ok(['inspect', '-f', '{{.Config.Hostname}}', 'cpc']).trim();
  ok(['cp', 'cpc:/tmp/up-link/etc/hostname', join(work, 'hn')]);
  assert.equal(readFileSync(join(work, 'hn'), 'utf8').trim(), id);
  // The final symlink itself is copied, not followed.
  ok(['cp', 'cpc:/tmp/abs-link', join(work, 'lnk')]);
  assert.equal(spawnSync('readlink', [join(work, 'lnk')], { encoding: 'utf8' }).stdout.trim(), '/etc/hostname');
});

test('hostile tars are refused or stay inside the container', async () => {
  const marker = `/tmp/berth-cp-tar-${process.pid}`;
  ok(['exec', 'cpc', 'mkdir', '-p', '/tmp/dst']);
  const up = await putTar('cpc', '/tmp/dst', [{ name: `../../../../../..${marker}`, body: 'evil' }]);
  assert.equal(up.status, 400);
  assert.match(up.body, /escapes the destination/);
  const hl = await putTar('cpc', '/tmp/dst', [{ name: 'hl', type: 'link', linkname: '../../../../../../etc/shadow' }]);
  assert.equal(hl.status, 400);
  const viaLink = await putTar('cpc', '/tmp/dst', [{ name: 'sl', type: 'symlink', linkname: '/tmp' }, { name: `sl/berth-cp-tar-${process.pid}`, body: 'inside' }]);
  assert.equal(viaLink.status, 200, viaLink.body);
  assert.equal(existsSync(marker), false, 'a tar wrote on the host');
  assert.equal(ok(['exec', 'cpc', 'cat', marker]), 'inside');
});

test('cp works on a stopped container', () => {
  ok(['create', '--network', 'none', '--name', 'cps', 'busybox', 'cat', '/tmp/in']);
  const src = join(work, 'in');
  writeFileSync(src, 'copied while stopped\n');
  ok(['cp', src, 'cps:/tmp/in']);
  assert.equal(ok(['start', '-a', 'cps']), 'copied while stopped\n');
  ok(['cp', 'cps:/tmp/in', join(work, 'in-back')]);
  assert.equal(readFileSync(join(work, 'in-back'), 'utf8'), 'copied while stopped\n');
});

test('docker diff lists added, changed and deleted paths', () => {
  ok(['run', '--network', 'none', '--name', 'dif', 'busybox', 'sh', '-c', 'rm /bin/ls; echo x > /newfile; mkdir -p /home/u/v; echo 1 >> /etc/passwd']);
  const lines = ok(['diff', 'dif']).trim().split('\n');
  assert.deepEqual(lines, ['C /bin', 'D /bin/ls', 'C /etc', 'C /etc/passwd', 'C /home', 'A /home/u', 'A /home/u/v', 'A /newfile']);
});

test('docker export is a tar of the whole filesystem', () => {
  for (const c of ['dif', 'cpc']) {
    const r = spawnSync('sh', ['-c', `docker -H ${d.host} export ${c} | tar t`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(r.status, 0, r.stderr);
    const names = r.stdout.split('\n');
    assert.ok(names.includes('bin/busybox'), `${c}: bin/busybox missing`);
    assert.ok(names.includes('etc/passwd'));
    assert.ok(names.includes('proc/'), 'mount points stay as empty directories');
    assert.ok(!names.some((n) => n.startsWith('proc/') && n !== 'proc/'), 'nothing from /proc');
    if (c === 'dif') {
      assert.ok(names.includes('newfile'));
      assert.ok(!names.includes('bin/ls'));
    }
  }
});
