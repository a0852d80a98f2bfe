// `berth compose` verbs beyond up/down on a real berthd: attached up streams prefixed logs and stops the
// app on Ctrl-C; a changed service is the only one recreated; --scale; ps, logs, config, run --rm,
// exec exit codes, stop/start, and docker compose's names and labels on what it made.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BERTH, startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { composeRunner, type ComposeRunner } from '../helpers/compose-tools.js';

let d: TestDaemon;
let app: string;
let compose: ComposeRunner;

const FILE = (greeting: string) => `
name: bc
services:
  talker:
    image: busybox
    command: ["sh", "-c", "echo ready; echo ${greeting}; exec sleep 3600"]
    stop_signal: SIGKILL
    network_mode: none
  idle:
    image: busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    network_mode: none
    labels: [role=idle]
`;

before(async () => {
  d = await startDaemon();
  app = mkdtempSync(join(tmpdir(), 'berth-compose-verbs-'));
  writeFileSync(join(app, 'compose.yaml'), FILE('hello'));
  compose = composeRunner(d, 'berth');
});

after(async () => {
  compose?.run(['down', '-v', '--remove-orphans'], { cwd: app });
  await d?.stop();
  if (app) rmSync(app, { recursive: true, force: true });
});

function ok(args: string[]): { stdout: string; stderr: string } {
  const r = compose.run(args, { cwd: app });
  assert.equal(r.code, 0, `berth compose ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
  return r;
}

const ids = (filter: string) => d.docker(['ps', '-aq', '--no-trunc', '--filter', filter]).stdout.split('\n').filter(Boolean).sort();

test('attached up streams prefixed logs of every service and stops them all on Ctrl-C', async () => {
  const child = spawn(process.execPath, [BERTH, '-H', d.host, 'compose', 'up'], { cwd: app, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const sawHello = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 60_000);
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); if (/talker-1\s+\| hello/.test(out)) { clearTimeout(timer); resolve(true); } });
  });
  assert.ok(await sawHello, `no prefixed log line; stdout:\n${out}\nstderr:\n${err}`);
  assert.match(out, /^Attaching to /m);
  child.kill('SIGINT');
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await exited;
  clearTimeout(killer);
  assert.equal(code, 130, `exit code; stderr:\n${err}`);
  assert.match(err, /Gracefully Stopping\.\.\. press Ctrl\+C again to force/);
  const states = d.docker(['ps', '-a', '--filter', 'label=com.docker.compose.project=bc', '--format', '{{.Names}} {{.State}}']).stdout.trim().split('\n').sort();
  assert.deepEqual(states, ['bc-idle-1 exited', 'bc-talker-1 exited']);
});

test('up -d starts the stopped app without recreating; a changed service alone is recreated', () => {
  const before = ids('label=com.docker.compose.project=bc');
  const first = ok(['up', '-d']).stderr;
  assert.doesNotMatch(first, /Recreate/);
  assert.deepEqual(ids('label=com.docker.compose.project=bc'), before);
  const idleId = ids('label=com.docker.compose.service=idle');
  writeFileSync(join(app, 'compose.yaml'), FILE('changed'));
  const second = ok(['up', '-d']).stderr;
  assert.match(second, /Container bc-talker-1 {2}Recreated/);
  assert.match(second, /Container bc-idle-1 {2}Running/);
  assert.deepEqual(ids('label=com.docker.compose.service=idle'), idleId);
});

test('names and labels are docker compose\'s', () => {
  const labels = JSON.parse(d.docker(['inspect', '-f', '{{json .Config.Labels}}', 'bc-idle-1']).stdout) as Record<string, string>;
  assert.equal(labels['com.docker.compose.project'], 'bc');
  assert.equal(labels['com.docker.compose.service'], 'idle');
  assert.equal(labels['com.docker.compose.container-number'], '1');
  assert.equal(labels['com.docker.compose.oneoff'], 'False');
  assert.match(labels['com.docker.compose.config-hash'], /^[0-9a-f]{64}$/);
  assert.equal(labels.role, 'idle');
});

test('ps, logs, config', () => {
  const ps = ok(['ps']).stdout.split('\n');
  assert.match(ps[0], /^NAME\s+IMAGE\s+COMMAND\s+SERVICE\s+CREATED\s+STATUS\s+PORTS$/);
  assert.ok(ps.some((l) => /^bc-idle-1\s+busybox\s+"sleep 3600"\s+idle\s/.test(l)), ps.join('\n'));
  assert.deepEqual(ok(['ps', '--services']).stdout.split('\n').filter(Boolean).sort(), ['idle', 'talker']);
  let logs = '';
  for (let i = 0; i < 20 && !logs.includes('changed'); i++) logs = ok(['logs', '--no-color', 'talker']).stdout;
  assert.match(logs, /^talker-1 {2}\| ready$/m);
  assert.match(logs, /^talker-1 {2}\| changed$/m);
  const cfg = ok(['config']).stdout;
  assert.match(cfg, /^name: bc$/m);
  assert.match(cfg, /command:\n\s+- sh\n\s+- -c/);
  assert.deepEqual(ok(['config', '--services']).stdout.split('\n').filter(Boolean), ['talker', 'idle']);
});

test('exec returns the command\'s exit code; run --rm leaves no one-off container', () => {
  assert.equal(compose.run(['exec', '-T', 'idle', 'sh', '-c', 'exit 3'], { cwd: app }).code, 3);
  const r = ok(['run', '--rm', '-T', 'idle', 'echo', 'one-off']);
  assert.match(r.stdout, /one-off/);
  assert.deepEqual(ids('label=com.docker.compose.oneoff=True'), []);
});

test('--scale runs replicas <project>-<service>-<n> and scales back down', () => {
  ok(['up', '-d', '--scale', 'idle=3']);
  const names = () => d.docker(['ps', '--filter', 'label=com.docker.compose.service=idle', '--format', '{{.Names}}']).stdout.split('\n').filter(Boolean).sort();
  assert.deepEqual(names(), ['bc-idle-1', 'bc-idle-2', 'bc-idle-3']);
  ok(['up', '-d']);
  assert.deepEqual(names(), ['bc-idle-1']);
});

test('stop, start, down: nothing left', () => {
  ok(['stop']);
  assert.equal(d.docker(['ps', '-q', '--filter', 'label=com.docker.compose.project=bc']).stdout.trim(), '');
  ok(['start']);
  assert.equal(d.docker(['ps', '-q', '--filter', 'label=com.docker.compose.project=bc']).stdout.trim().split('\n').length, 2);
  ok(['down']);
  assert.deepEqual(ids('label=com.docker.compose.project=bc'), []);
});

test('a bad file: the error names the file and the key path, exit status non-zero', () => {
  writeFileSync(join(app, 'bad.yaml'), 'services:\n  web:\n    image: busybox\n    ports: 80\n');
  const r = compose.run(['-f', 'bad.yaml', 'config'], { cwd: app });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, new RegExp(`validating ${join(app, 'bad.yaml')}: services\\.web\\.ports must be a array`));
});
