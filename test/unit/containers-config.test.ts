import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandOf, mergeConfig, mergeEnv, normalizeHostConfig } from '../../src/engine/containers/create-config.js';
import { containerResolvConf, hostsFile } from '../../src/engine/containers/etc-files.js';
import { humanDuration, statusText, commandText } from '../../src/engine/containers/views.js';
import { nanoToRfc3339, parseLogLine, rfc3339ToNano, RowSplitter } from '../../src/engine/containers/log-file.js';
import { parsePs } from '../../src/engine/containers/top.js';
import { labelMatches } from '../../src/engine/containers/list-filters.js';
import type { ContainerRecord } from '../../src/model/container.js';

const image = { Env: ['PATH=/bin', 'A=img'], Cmd: ['sh'], Entrypoint: null, WorkingDir: '/app', User: 'app', Labels: { a: '1', b: '2' }, StopSignal: 'SIGQUIT' };

test('env merges by key', () => {
  assert.deepEqual(mergeEnv(['A=1', 'B=2'], ['B=3', 'C=4']), ['A=1', 'B=3', 'C=4']);
});

test('image config fills what the user left out', () => {
  const c = mergeConfig({ Env: ['A=user'], Labels: { b: 'x' } }, image);
  assert.deepEqual(c.Env, ['PATH=/bin', 'A=user']);
  assert.deepEqual(c.Labels, { a: '1', b: 'x' });
  assert.equal(c.WorkingDir, '/app');
  assert.equal(c.User, 'app');
  assert.equal(c.StopSignal, 'SIGQUIT');
  assert.deepEqual(c.Cmd, ['sh']);
  assert.equal(mergeConfig({ User: 'root', WorkingDir: '/w' }, image).User, 'root');
});

test('an Entrypoint given at create drops the image Cmd unless a Cmd is given', () => {
  const img = { Entrypoint: ['/init'], Cmd: ['--serve'] };
  assert.deepEqual(commandOf(mergeConfig({}, img)), { path: '/init', args: ['--serve'] });
  assert.deepEqual(commandOf(mergeConfig({ Entrypoint: ['/bin/echo'] }, img)), { path: '/bin/echo', args: [] });
  assert.deepEqual(commandOf(mergeConfig({ Entrypoint: ['/bin/echo'], Cmd: ['x'] }, img)), { path: '/bin/echo', args: ['x'] });
  assert.deepEqual(commandOf(mergeConfig({ Cmd: ['ls'] }, img)), { path: '/init', args: ['ls'] });
  assert.throws(() => commandOf(mergeConfig({}, {})), /no command specified/);
});

test('HostConfig defaults: NetworkMode default means bridge, runtime recorded', () => {
  const h = normalizeHostConfig({ NetworkMode: 'default' }, 'runc');
  assert.equal(h.NetworkMode, 'bridge');
  assert.equal(h.Runtime, 'runc');
  assert.equal(normalizeHostConfig({ NetworkMode: 'none' }, 'runc').NetworkMode, 'none');
  assert.deepEqual(h.RestartPolicy, { Name: 'no', MaximumRetryCount: 0 });
});

test('resolv.conf drops loopback nameservers outside host networking', () => {
  const host = 'nameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch example\n';
  assert.equal(containerResolvConf(host, false), 'nameserver 10.0.0.2\nsearch example\n');
  assert.equal(containerResolvConf(host, true), host);
  assert.match(containerResolvConf('nameserver 127.0.0.1\n', false), /nameserver 8\.8\.8\.8/);
  assert.match(hostsFile('h', '10.1.1.2'), /127\.0\.0\.1\tlocalhost\n[\s\S]*10\.1\.1\.2\th\n$/);
});

test('Docker status texts and durations', () => {
  assert.equal(humanDuration(500), 'Less than a second');
  assert.equal(humanDuration(3000), '3 seconds');
  assert.equal(humanDuration(61_000), 'About a minute');
  assert.equal(humanDuration(3 * 3600_000), '3 hours');
  const rec = { State: { Status: 'exited', ExitCode: 3, FinishedAt: new Date(Date.now() - 2000).toISOString() }, Path: 'sh', Args: ['-c', 'exit 3'] } as unknown as ContainerRecord;
  assert.equal(statusText(rec), 'Exited (3) 2 seconds ago');
  assert.equal(commandText(rec), "sh -c 'exit 3'");
  assert.equal(statusText({ State: { Status: 'created' } } as unknown as ContainerRecord), 'Created');
});

test('k8s-file log rows: full and partial lines, timestamps', () => {
  const e = parseLogLine('2026-11-22T06:08:07.054758302+00:00 stdout F hello world')!;
  assert.equal(e.stream, 'stdout');
  assert.equal(e.payload.toString(), 'hello world\n');
  assert.equal(parseLogLine('2026-11-22T06:08:07.054758302+00:00 stderr P part')!.payload.toString(), 'part');
  assert.equal(nanoToRfc3339(rfc3339ToNano('2026-11-22T06:08:07.054758302+00:00')), '2026-11-22T06:08:07.054758302Z');
  const s = new RowSplitter();
  assert.deepEqual(s.push('a\nb'), ['a']);
  assert.deepEqual(s.push('c\n'), ['bc']);
});

test('top keeps the container\'s rows; the command column keeps its spaces', () => {
  const out = 'UID PID PPID C STIME TTY TIME CMD\nroot 1 0 0 06:00 ? 00:00:01 /sbin/init\nroot 42 40 0 06:01 ? 00:00:00 sleep 300\n';
  assert.deepEqual(parsePs(out, [42]), { Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'], Processes: [['root', '42', '40', '0', '06:01', '?', '00:00:00', 'sleep 300']] });
});

test('label filters', () => {
  assert.ok(labelMatches({ a: '1' }, 'a'));
  assert.ok(labelMatches({ a: '1' }, 'a=1'));
  assert.ok(!labelMatches({ a: '1' }, 'a=2'));
  assert.ok(labelMatches({ a: '1' }, 'a!=2'));
});
