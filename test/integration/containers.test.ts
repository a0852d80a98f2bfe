// The container lifecycle through the real docker CLI against a real berthd.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';

let d: TestDaemon;
before(async () => { d = await startDaemon(); });
after(async () => { await d?.stop(); });

function ok(args: string[], opts?: { input?: string }): string {
  const r = d.docker(args, { timeoutMs: 60_000, ...opts });
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed (${r.code}): ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

test('docker run --rm prints the output and leaves nothing behind', () => {
  assert.equal(ok(['run', '--rm', 'busybox', 'echo', 'hello']), 'hello\n');
  assert.equal(ok(['ps', '-aq']), '');
});

test('exit codes come back from docker run', () => {
  assert.equal(d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'exit 3']).code, 3);
  const r = d.docker(['run', '--rm', 'busybox', 'nosuchcommand']);
  assert.equal(r.code, 127);
  assert.match(r.stderr, /executable file not found/);
  assert.equal(ok(['ps', '-aq']), '');
});

test('stdin reaches the container (docker run -i)', () => {
  assert.equal(ok(['run', '-i', '--rm', 'busybox', 'cat'], { input: 'hi\nthere\n' }), 'hi\nthere\n');
  assert.equal(ok(['run', '-i', '--rm', 'busybox', 'wc', '-c'], { input: 'x'.repeat(50_000) }).trim(), '50000');
});

test('stdout and stderr stay apart', () => {
  const r = d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2']);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
});

test('env, workdir, user and hostname', () => {
  const out = ok(['run', '--rm', '-e', 'FOO=bar', '-w', '/tmp', '-u', 'nobody', '--hostname', 'myhost', 'busybox',
    'sh', '-c', 'echo $FOO; pwd; id -u; hostname; cat /etc/hostname']);
  assert.equal(out, 'bar\n/tmp\n65534\nmyhost\nmyhost\n');
});

test('Docker\'s default capabilities', () => {
  const out = ok(['run', '--rm', 'busybox', 'grep', 'Cap', '/proc/self/status']);
  assert.match(out, /CapEff:\t00000000a80425fb/);
  assert.match(out, /CapBnd:\t00000000a80425fb/);
  assert.match(out, /CapInh:\t0000000000000000/);
  assert.match(ok(['run', '--rm', '--cap-drop', 'ALL', 'busybox', 'grep', 'CapEff', '/proc/self/status']), /CapEff:\t0000000000000000/);
});

test('run -d, ps, logs, inspect, top, stop, start, restart, pause, kill, rename, wait, rm', () => {
  const id = ok(['run', '-d', '--name', 'life', 'busybox', 'sh', '-c', 'echo started; trap "exit 0" TERM; while true; do sleep 0.1; done']).trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  assert.match(ok(['ps', '--format', '{{.Names}} {{.Status}}']), /^life Up /m);
  const logsUntilStarted = () => { for (let i = 0; i < 50; i++) { const o = ok(['logs', 'life']); if (o) return o; spawnSleep(); } return ''; };
  assert.equal(logsUntilStarted(), 'started\n');
  assert.equal(ok(['inspect', '-f', '{{.State.Status}} {{.State.Running}} {{.Name}} {{.HostConfig.NetworkMode}}', 'life']), 'running true /life bridge\n');
  assert.match(ok(['top', 'life']), /PID[\s\S]*sh -c/);
  assert.equal(ok(['stop', 'life']), 'life\n');
  assert.equal(ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'life']), 'exited 0\n');
  assert.equal(ok(['start', 'life']), 'life\n');
  assert.equal(ok(['restart', '-t', '1', 'life']), 'life\n');
  assert.equal(ok(['inspect', '-f', '{{.State.Status}}', 'life']), 'running\n');
  assert.equal(ok(['pause', 'life']), 'life\n');
  assert.equal(ok(['inspect', '-f', '{{.State.Status}} {{.State.Paused}}', 'life']), 'paused true\n');
  assert.equal(ok(['unpause', 'life']), 'life\n');
  assert.equal(ok(['rename', 'life', 'life2']), '');
  assert.equal(ok(['kill', 'life2']), 'life2\n');
  assert.equal(ok(['wait', 'life2']), '137\n');
  const again = d.docker(['kill', 'life2']);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /is not running/);
  assert.equal(ok(['rm', 'life2']), 'life2\n');
  assert.match(d.docker(['container', 'inspect', 'life2']).stderr, /No such container: life2/);
});

test('logs after exit: tail, timestamps, follow ends with the container', () => {
  ok(['run', '--name', 'lg', 'busybox', 'sh', '-c', 'for i in 1 2 3; do echo line$i; done']);
  assert.equal(ok(['logs', 'lg']), 'line1\nline2\nline3\n');
  assert.equal(ok(['logs', '--tail', '1', 'lg']), 'line3\n');
  assert.match(ok(['logs', '-t', '--tail', '1', 'lg']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line3\n$/);
  assert.equal(ok(['logs', '-f', 'lg']), 'line1\nline2\nline3\n');
  ok(['rm', 'lg']);
});

test('name conflicts use Docker\'s message; rm of a running container needs force', () => {
  const id = ok(['run', '-d', '--name', 'dup', 'busybox', 'sleep', '60']).trim();
  const r = d.docker(['run', '-d', '--name', 'dup', 'busybox', 'true']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, new RegExp(`Conflict\\. The container name "/dup" is already in use by container "${id}"\\. You have to remove \\(or rename\\) that container to be able to reuse that name\\.`));
  const rm = d.docker(['rm', 'dup']);
  assert.match(rm.stderr, /You cannot remove a running container [0-9a-f]{64}\. Stop the container before attempting removal or force remove/);
  ok(['rm', '-f', 'dup']);
  assert.equal(ok(['ps', '-aq']), '');
});

test('--network none has only loopback; inspect shape', async () => {
  assert.doesNotMatch(ok(['run', '--rm', '--network', 'none', 'busybox', 'ip', 'link']), /eth0/);
  const id = ok(['create', '--name', 'shape', '-l', 'k=v', 'busybox', 'true']).trim();
  const res = await d.api('GET', `/containers/${id}/json`);
  const j = JSON.parse(res.body) as Record<string, unknown>;
  for (const k of ['Id', 'Created', 'Path', 'Args', 'State', 'Image', 'ResolvConfPath', 'HostnamePath', 'HostsPath', 'LogPath', 'Name', 'RestartCount', 'Driver', 'Platform', 'HostConfig', 'GraphDriver', 'Mounts', 'Config', 'NetworkSettings']) assert.ok(k in j, k);
  assert.equal((j.State as { Status: string }).Status, 'created');
  assert.equal((j.Config as { Hostname: string }).Hostname, id.slice(0, 12));
  const list = JSON.parse((await d.api('GET', '/containers/json?all=1&filters=' + encodeURIComponent('{"label":["k=v"]}'))).body) as Array<{ Names: string[]; State: string; Status: string }>;
  assert.deepEqual(list.map((c) => [c.Names, c.State, c.Status]), [[['/shape'], 'created', 'Created']]);
  const prune = JSON.parse((await d.api('POST', '/containers/prune')).body) as { ContainersDeleted: string[] };
  assert.deepEqual(prune.ContainersDeleted, [id]);
});

function spawnSleep(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
}
