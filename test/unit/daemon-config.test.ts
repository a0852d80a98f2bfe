import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDaemonArgs, DEFAULT_SOCKET, HelpRequested } from '../../src/daemon/config.js';
import { isBerthError } from '../../src/errors.js';

const scratch = mkdtempSync(join(tmpdir(), 'berth-cfg-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const tempDir = (): string => mkdtempSync(join(scratch, 'c-'));

test('defaults match the documented locations', () => {
  const dir = tempDir();
  const empty = join(dir, 'daemon.json');
  writeFileSync(empty, '{}');
  const cfg = parseDaemonArgs(['--config-file', empty]);
  assert.deepEqual(cfg.hosts, [DEFAULT_SOCKET]);
  assert.equal(cfg.dataRoot, '/var/lib/berth');
  assert.equal(cfg.execRoot, '/run/berth');
  assert.equal(cfg.defaultRuntime, 'runc');
});

test('flags override daemon.json, hosts repeat', () => {
  const dir = tempDir();
  const file = join(dir, 'daemon.json');
  writeFileSync(file, JSON.stringify({ 'data-root': '/from/file', 'log-level': 'warn', hosts: ['unix:///x.sock'] }));
  const cfg = parseDaemonArgs(['--config-file', file, '-H', 'unix:///a.sock', '--host=unix:///b.sock', '--log-level', 'debug']);
  assert.deepEqual(cfg.hosts, ['unix:///a.sock', 'unix:///b.sock']);
  assert.equal(cfg.dataRoot, '/from/file');
  assert.equal(cfg.logLevel, 'debug');
});

test('bad input is refused with a clear message', () => {
  assert.throws(() => parseDaemonArgs(['--nope']), (e) => isBerthError(e, 'invalid-argument') && /unknown flag: --nope/.test(e.message));
  assert.throws(() => parseDaemonArgs(['--log-level', 'loud']), /unable to parse logging level/);
  assert.throws(() => parseDaemonArgs(['--config-file', '/dev/null/none']), /no such file/);
  assert.throws(() => parseDaemonArgs(['--default-runtime', 'kata', '--config-file', join(tempDir(), 'x')]), /no such file|not found/);
  assert.throws(() => parseDaemonArgs(['--help']), (e) => e instanceof HelpRequested);
});
