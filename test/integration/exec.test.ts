// (Containers run with --network none: these tests are about exec, not networking.)
// docker exec through the real docker CLI against a real berthd: output, exit codes, -e/-u/-w, stdin,
// --privileged, -d and ExecIDs, exec inspect, many at once, events, and the refusal on stopped containers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startDaemon, DOCKER, type TestDaemon } from '../helpers/daemon.js';

let d: TestDaemon;
before(async () => {
  d = await startDaemon();
  ok(['run', '-d', '--network', 'none', '--name', 'ex', 'busybox', 'sleep', '600']);
});
after(async () => { await d?.stop(); });

function ok(args: string[], opts?: { input?: string }): string {
  const r = d.docker(args, { timeoutMs: 60_000, ...opts });
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed (${r.code}): ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

function dockerAsync(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(DOCKER, ['-H', d.host, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code: code ?? -1, stdout }); });
  });
}

test('docker exec prints the output', () => {
  assert.equal(ok(['exec', 'ex', 'echo', 'x']), 'x\n');
});

test('exit codes come back through exec', () => {
  assert.equal(d.docker(['exec', 'ex', 'sh', '-c', 'exit 3']).code, 3);
  assert.equal(d.docker(['exec', 'ex', 'sh', '-c', 'kill -9 $$']).code, 137);
  const r = d.docker(['exec', 'ex', 'nosuchcommand']);
  assert.equal(r.code, 127);
  assert.match(r.stdout + r.stderr, /OCI runtime exec failed: .*executable file not found/);
  const u = d.docker(['exec', '-u', 'nosuchuser', 'ex', 'id']);
  assert.equal(u.code, 126);
  assert.match(u.stdout + u.stderr, /unable to find user nosuchuser/);
});

test('stdout and stderr stay apart', () => {
  const r = d.docker(['exec', 'ex', 'sh', '-c', 'echo out; echo err >&2']);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
});

test('exec -e, -u and -w', () => {
  assert.equal(ok(['exec', '-e', 'FOO=bar', 'ex', 'sh', '-c', 'echo $FOO']), 'bar\n');
  assert.equal(ok(['exec', '-u', 'nobody', 'ex', 'id', '-u']), '65534\n');
  assert.equal(ok(['exec', '-u', '1234:55', 'ex', 'sh', '-c', 'echo $(id -u):$(id -g)']), '1234:55\n');
  assert.equal(ok(['exec', '-w', '/etc', 'ex', 'pwd']), '/etc\n');
  const env = ok(['exec', 'ex', 'env']);
  assert.match(env, /^PATH=/m);
  assert.match(env, /^HOSTNAME=/m);
});

test('stdin reaches an exec (-i) and closes on EOF', () => {
  assert.equal(ok(['exec', '-i', 'ex', 'cat'], { input: 'hi\nthere\n' }), 'hi\nthere\n');
  assert.equal(ok(['exec', '-i', 'ex', 'wc', '-c'], { input: 'x'.repeat(100_000) }).trim(), '100000');
});

test('--privileged grants every capability the daemon holds', () => {
  const plain = ok(['exec', 'ex', 'grep', 'CapEff', '/proc/self/status']);
  const priv = ok(['exec', '--privileged', 'ex', 'grep', 'CapEff', '/proc/self/status']);
  assert.notEqual(plain, priv);
  assert.equal(plain.trim(), 'CapEff:\t00000000a80425fb');
});

test('exec -d runs in the background and shows in ExecIDs', async () => {
  ok(['exec', '-d', 'ex', 'sleep', '30']);
  const ids = JSON.parse(ok(['inspect', '-f', '{{json .ExecIDs}}', 'ex'])) as string[] | null;
  assert.ok(ids && ids.length >= 1, `ExecIDs: ${JSON.stringify(ids)}`);
  const info = await d.api('GET', `/exec/${ids![0]}/json`);
  assert.equal(info.status, 200);
  const body = JSON.parse(info.body) as Record<string, unknown>;
  assert.equal(body.Running, true);
  assert.ok((body.Pid as number) > 0);
  assert.deepEqual(body.ProcessConfig, { arguments: ['30'], entrypoint: 'sleep', privileged: false, tty: false, user: '' });
});

test('exec inspect before and after a run', async () => {
  const created = await d.api('POST', '/containers/ex/exec', { Cmd: ['sh', '-c', 'exit 7'], AttachStdout: true });
  assert.equal(created.status, 201);
  const id = (JSON.parse(created.body) as { Id: string }).Id;
  const before = JSON.parse((await d.api('GET', `/exec/${id}/json`)).body) as Record<string, unknown>;
  assert.equal(before.Running, false);
  assert.equal(before.ExitCode, null);
  const start = await d.api('POST', `/exec/${id}/start`, { Detach: false, Tty: false });
  assert.equal(start.status, 200);
  const after = JSON.parse((await d.api('GET', `/exec/${id}/json`)).body) as Record<string, unknown>;
  assert.equal(after.ExitCode, 7);
  assert.equal(after.Running, false);
  assert.equal((await d.api('GET', '/exec/nosuch/json')).status, 404);
  assert.equal((await d.api('POST', `/exec/${id}/start`, {})).status, 409);
});

test('many execs at once', async () => {
  const runs = await Promise.all(Array.from({ length: 8 }, (_v, i) => dockerAsync(['exec', 'ex', 'sh', '-c', `echo n${i}; exit ${i}`])));
  runs.forEach((r, i) => {
    assert.equal(r.stdout, `n${i}\n`);
    assert.equal(r.code, i);
  });
});

test('exec events: exec_create, exec_start, exec_die', () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  ok(['exec', 'ex', 'true']);
  const until = Math.floor(Date.now() / 1000) + 1;
  const out = ok(['events', '--since', String(since), '--until', String(until), '--format', '{{.Action}}|{{.Actor.Attributes.exitCode}}']);
  assert.match(out, /^exec_create: true\|/m);
  assert.match(out, /^exec_start: true\|/m);
  assert.match(out, /^exec_die\|0$/m);
});

test('exec into a stopped container fails with Docker\'s message', () => {
  ok(['run', '-d', '--network', 'none', '--name', 'exs', 'busybox', 'sleep', '600']);
  const id = ok(['inspect', '-f', '{{.Id}}', 'exs']).trim();
  ok(['stop', '-t', '0', 'exs']);
  const r = d.docker(['exec', 'exs', 'echo', 'x']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`Container ${id} is not running`));
});
