// Berth's own CLI against a real berthd: run/exit codes, ps/images/inspect formatting, bulk rm, save/load.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';

let d: TestDaemon;
let work: string;

before(async () => {
  d = await startDaemon();
  work = mkdtempSync(join(tmpdir(), 'berth-cli-it-'));
});

after(async () => {
  await d?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('version and info reach the daemon', () => {
  const v = d.berth(['version', '--format', '{{.Server.APIVersion}} {{.Client.APIVersion}}']);
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.stdout, '1.50 1.50\n');
  const i = d.berth(['info']);
  assert.equal(i.code, 0, i.stderr);
  assert.match(i.stdout, /Runtimes: .*runc/);
  assert.match(i.stdout, / {2}runc: usable/);
});

test('images: docker classic table with the seeded busybox', () => {
  const r = d.berth(['images']);
  assert.equal(r.code, 0, r.stderr);
  const [header, ...rows] = r.stdout.trimEnd().split('\n');
  assert.match(header, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
  assert.ok(rows.some((l) => /^busybox\s+latest\s+[0-9a-f]{12}\s+.+ago\s+[\d.]+[kMG]?B$/.test(l)), r.stdout);
  const q = d.berth(['images', '-q']);
  assert.match(q.stdout, /^[0-9a-f]{12}\n/);
  const f = d.berth(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']);
  assert.match(f.stdout, /^busybox:latest$/m);
});

test('run --rm busybox echo hello prints hello', () => {
  const r = d.berth(['run', '--rm', 'busybox', 'echo', 'hello']);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'hello\n');
  assert.equal(r.code, 0);
});

test('run passes the exit status through, stdout and stderr apart', () => {
  const r = d.berth(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 7']);
  assert.equal(r.code, 7);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
});

test('run -i forwards stdin', () => {
  const i = d.berth(['run', '--rm', '-i', 'busybox', 'cat'], { input: 'piped\n' });
  assert.equal(i.stdout, 'piped\n');
  assert.equal(i.code, 0);
});

test('run errors: unknown command is 127, unknown image 125', () => {
  const r = d.berth(['run', '--rm', 'busybox', 'nosuchcommand']);
  assert.equal(r.code, 127, r.stderr);
  const m = d.berth(['run', '--rm', 'nosuchimage:1', 'true']);
  assert.equal(m.code, 125);
  assert.match(m.stderr, /Unable to find image 'nosuchimage:1' locally/);
});

test('run -d, ps --format, inspect --format, logs, stop', () => {
  const r = d.berth(['run', '-d', '--name', 'cli-web', '-l', 'app=web', 'busybox', 'sh', '-c', 'echo started; sleep 300']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^[0-9a-f]{64}\n$/);
  const ps = d.berth(['ps', '--format', '{{.Names}}']);
  assert.match(ps.stdout, /^cli-web$/m);
  const label = d.berth(['ps', '--filter', 'label=app=web', '--format', '{{.Names}} {{.Label "app"}}']);
  assert.equal(label.stdout, 'cli-web web\n');
  const table = d.berth(['ps']);
  assert.match(table.stdout, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/m);
  // 20 characters, the last an ellipsis (the daemon decides how arguments with spaces are quoted).
  assert.match(table.stdout, /"sh -c .+echo start.*…"/);
  const st = d.berth(['inspect', '--format', '{{.State.Status}}', 'cli-web']);
  assert.equal(st.stdout, 'running\n');
  const json = d.berth(['container', 'inspect', 'cli-web']);
  assert.equal(JSON.parse(json.stdout)[0].Name, '/cli-web');
  let logs = '';
  for (let i = 0; i < 50 && !logs.includes('started'); i++) logs = d.berth(['logs', 'cli-web']).stdout;
  assert.equal(logs, 'started\n');
  const stop = d.berth(['stop', '-t', '1', 'cli-web']);
  assert.equal(stop.stdout, 'cli-web\n');
  assert.equal(d.berth(['inspect', '-f', '{{.State.Status}}', 'cli-web']).stdout, 'exited\n');
});

test('rm a b reports per item; rm -f ignores missing ones as docker 28 does', () => {
  assert.equal(d.berth(['create', '--name', 'cli-a', 'busybox', 'true']).code, 0);
  assert.equal(d.berth(['create', '--name', 'cli-b', 'busybox', 'sleep', '100']).code, 0);
  assert.equal(d.berth(['start', 'cli-b']).stdout, 'cli-b\n');
  const f = d.berth(['rm', '-f', 'cli-b', 'cli-gone']);
  assert.deepEqual([f.stdout, f.stderr, f.code], ['cli-b\n', '', 0]);
  const r = d.berth(['rm', 'cli-a', 'cli-missing']);
  assert.equal(r.stdout, 'cli-a\n');
  assert.match(r.stderr, /Error response from daemon: No such container: cli-missing/);
  assert.equal(r.code, 1);
  assert.equal(d.berth(['inspect', 'cli-a']).code, 1);
});

test('save, rmi, load with progress output', () => {
  const tar = join(work, 'bb.tar');
  const s = d.berth(['save', '-o', tar, 'busybox']);
  assert.equal(s.code, 0, s.stderr);
  assert.ok(existsSync(tar) && statSync(tar).size > 1000);
  assert.equal(d.berth(['tag', 'busybox', 'cli-copy:1']).code, 0);
  const rmi = d.berth(['rmi', 'cli-copy:1']);
  assert.equal(rmi.stdout, 'Untagged: cli-copy:1\n');
  const l = d.berth(['load', '-i', tar]);
  assert.equal(l.code, 0, l.stderr);
  assert.match(l.stdout, /Loaded image: busybox:latest/);
  const piped = d.berth(['save', 'busybox']);
  assert.equal(piped.code, 0);
});
