// The exec's OCI process, its event actions, inspect view and Docker's detach keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildExecProcess, execAction } from '../../src/engine/exec/process-spec.js';
import { execInspectView } from '../../src/engine/exec/types.js';
import { parseDetachKeys } from '../../src/engine/exec/detach-keys.js';
import { DetachKeyMatcher as DetachKeyFilter } from '../../src/util/detach-keys.js';
import { startFailureExitCode } from '../../src/engine/exec/exec-process.js';

const base = {
  terminal: false, user: { uid: 0, gid: 0 }, args: ['sleep', '1'], env: ['PATH=/bin'], cwd: '/',
  capabilities: { bounding: ['CAP_CHOWN'], effective: ['CAP_CHOWN'], permitted: ['CAP_CHOWN'] },
  rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 1024 }], noNewPrivileges: false,
};
const user = { uid: 1000, gid: 100, additionalGids: [10], home: '/home/u' };

test('the exec process keeps the container\'s limits and takes the exec\'s command, env, user and cwd', () => {
  const p = buildExecProcess({ base, args: ['sh', '-c', 'x'], containerEnv: ['A=1', 'B=2'], execEnv: ['B=3'], hostname: 'h', cwd: '/tmp', user, tty: false, privileged: false });
  assert.deepEqual(p.args, ['sh', '-c', 'x']);
  assert.deepEqual(p.env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=h', 'A=1', 'B=3']);
  assert.equal(p.cwd, '/tmp');
  assert.deepEqual(p.user, { uid: 1000, gid: 100, additionalGids: [10] });
  assert.deepEqual(p.rlimits, base.rlimits);
  assert.deepEqual(p.capabilities, base.capabilities);
  assert.equal(p.terminal, false);
  assert.equal(p.consoleSize, undefined);
});

test('a tty exec gets TERM and the console size; --privileged every capability', () => {
  const p = buildExecProcess({ base, args: ['sh'], containerEnv: [], execEnv: [], hostname: 'h', cwd: '', user, tty: true, privileged: true, consoleSize: { height: 30, width: 100 } });
  assert.equal(p.terminal, true);
  assert.ok((p.env as string[]).includes('TERM=xterm'));
  assert.deepEqual(p.consoleSize, { height: 30, width: 100 });
  assert.equal(p.cwd, '/');
  const caps = (p.capabilities as { bounding: string[] }).bounding;
  assert.ok(caps.length > 14 && caps.includes('CAP_CHOWN'));
});

test('event actions and the inspect view', () => {
  assert.equal(execAction('exec_create', ['sh', '-c', 'exit 3']), 'exec_create: sh -c exit 3');
  const view = execInspectView({ id: 'e1', containerId: 'c1', config: { Cmd: ['echo', 'x'], AttachStdout: true, Tty: true }, running: false, exitCode: null, pid: 0, started: false, createdAt: 0 });
  assert.deepEqual(view.ProcessConfig, { arguments: ['x'], entrypoint: 'echo', privileged: false, tty: true, user: '' });
  assert.equal(view.ExitCode, null);
  assert.equal(view.OpenStdout, true);
  assert.equal(view.OpenStdin, false);
  assert.equal(view.ContainerID, 'c1');
});

test('exit codes of commands that could not start', () => {
  assert.equal(startFailureExitCode('exec failed: unable to start container process: exec: "x": executable file not found in $PATH'), 127);
  assert.equal(startFailureExitCode('exec failed: unable to start container process: exec: "/etc": permission denied'), 126);
});

test('detach keys: parsing and detection across chunks, partial matches released', () => {
  assert.deepEqual(parseDetachKeys('ctrl-p,ctrl-q'), [16, 17]);
  assert.deepEqual(parseDetachKeys('ctrl-a,x,ctrl-@,ctrl-_'), [1, 120, 0, 31]);
  assert.throws(() => parseDetachKeys('ctrl-'), /Invalid detach keys/);
  const f = new DetachKeyFilter([16, 17]);
  assert.deepEqual(f.push(Buffer.from([97, 16])), { forward: Buffer.from([97]), detach: false });
  assert.deepEqual(f.push(Buffer.from([98])), { forward: Buffer.from([16, 98]), detach: false });
  assert.deepEqual(f.push(Buffer.from([16])), { forward: Buffer.alloc(0), detach: false });
  assert.deepEqual(f.push(Buffer.from([17, 99])), { forward: Buffer.alloc(0), detach: true });
});
